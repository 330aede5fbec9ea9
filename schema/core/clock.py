"""The server's clock, for screens that count time (the dashboard's "late by").

On the demo's shared clock (PASSAGE_CLOCK) it runs faster than the wall clock; a
screen reads it once and counts on from there at `speed`.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from services.clock import current_warp, utcnow


@strawberry.type
class ServerClock:
    now: datetime
    speed: float = strawberry.field(description="Seconds of server time per real second (1).")


@strawberry.type
class ClockQueries:
    @strawberry.field(description="The server's time and how fast it runs (the demo's clock).")
    def server_clock(self) -> ServerClock:
        warp = current_warp()
        return ServerClock(now=utcnow(), speed=warp.speed if warp else 1.0)
