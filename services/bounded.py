"""A dict that keeps its most recently used entries only: the caches of compiled things."""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Bounded(OrderedDict[K, V]):
    """Forgets its least recently used entries past `size`; `touch` marks one as used."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def touch(self, key: K) -> bool:
        """Whether `key` is held; if so it becomes the most recently used."""
        if key not in self:
            return False
        self.move_to_end(key)
        return True

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.size:
            self.popitem(last=False)
