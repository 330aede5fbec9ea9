"""The typed per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from strawberry.types import Info as StrawberryInfo

from resolvers.errors import Unauthenticated
from resolvers.runtime import RequestMeta, Runtime, Viewer
from schema.loaders import Loaders


@dataclass
class Context:
    runtime: Runtime
    meta: RequestMeta
    maybe_viewer: Viewer | None = None
    # A token was sent but is not (or no longer) valid: fields that need a viewer fail.
    bad_token: bool = False
    # Made on first use: a socket waiting for events never needs any.
    _loaders: Loaders | None = field(default=None, repr=False)
    connection_params: dict[str, Any] | None = None
    # Filled by the websocket handler so a revoked session can close its socket.
    websocket: Any = None
    extensions: dict[str, Any] = field(default_factory=dict)

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders()
        return self._loaders

    def forget_loaded(self) -> None:
        """Drop what the loaders cached: a subscription reads each event fresh."""
        self._loaders = None

    @property
    def api_key_id(self) -> int | None:
        """The partner API key the request is made with (None for a session or nobody)."""
        viewer = self.maybe_viewer
        return None if viewer is None else viewer.api_key_id

    @property
    def viewer(self) -> Viewer | None:
        if self.bad_token:
            raise Unauthenticated("Jeton invalide ou expiré.")
        return self.maybe_viewer


Info: TypeAlias = StrawberryInfo[Context, None]
