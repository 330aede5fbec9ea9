"""Every SESSION_SWEEP_SECONDS: websockets whose session ran out while open are closed,
and everyone whose password passed the recommended age is told (resolvers.accounts.passwords)."""

from __future__ import annotations

from typing import Protocol

from jobs.every import every
from resolvers.accounts import passwords, sessions
from resolvers.core.runtime import Runtime
from resolvers.partners import keys as partner_keys


class OpenSessions(Protocol):
    """The sockets this process holds open, by session (web.open_sockets.OpenSockets)."""

    def session_ids(self) -> list[int]: ...

    async def close(self, session_id: int) -> None: ...


async def sweep(rt: Runtime, sockets: OpenSessions) -> None:
    open_ids = sockets.session_ids()
    live = await sessions.live_sessions(rt, [i for i in open_ids if i > 0])
    # Partner keys are filed by negative id (web.open_sockets.socket_owner).
    live |= {-k for k in await partner_keys.live_keys([-i for i in open_ids if i < 0])}
    for session_id in open_ids:
        if session_id not in live:
            await sockets.close(session_id)
    await passwords.notify_aged_passwords(rt)


async def run(rt: Runtime, sockets: OpenSessions) -> None:
    # Nothing is open at start-up: the first round comes one interval later.
    await every(
        rt.settings.session_sweep_seconds,
        lambda: sweep(rt, sockets),
        "session sweep",
        wait_first=True,
    )
