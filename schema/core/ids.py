"""Opaque global ids (Relay): base64url of "Type:pk", decoded strictly."""

from __future__ import annotations

import base64
import binascii
import functools

from resolvers.core.errors import BadInput


# A page of 50 visits writes 150 ids (visit, worker, client), mostly the same few workers
# and clients from one page to the next: encoded once each.
@functools.lru_cache(maxsize=16384)
def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, int]:
    try:
        if len(global_id) > 100:
            raise ValueError
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw_pk = base64.urlsafe_b64decode(padded).decode().partition(":")
        pk = int(raw_pk)
        # Primary keys are 32-bit integers; event ids (cursors) are 64-bit.
        limit = 2**63 - 1 if type_name == "cursor" else 2**31 - 1
        if not type_name or pk < 0 or pk > limit:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadInput("Identifiant invalide.") from exc
    return type_name, pk


def expect_id(global_id: str, type_name: str) -> int:
    """The primary key of a global id that must name a `type_name`."""
    found, pk = from_global_id(global_id)
    if found != type_name:
        raise BadInput(f"Identifiant de {type_name} attendu.")
    return pk


def cursor_for(pk: int) -> str:
    return to_global_id("cursor", pk)


def after_pk(cursor: str | None) -> int | None:
    return None if cursor is None else expect_id(cursor, "cursor")
