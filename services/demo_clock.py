"""The demo's shared clock: PASSAGE_CLOCK gives the server and `passage simulate` one
accelerated time, so a whole day plays in minutes and every rule (too early, late,
missed, reply promises) is judged on the same clock as the phones' actions.

Its value comes from `passage demo-clock` (real start, simulated start, speed); it is
refused in production.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.clock import Warp, set_warp
from services.config import ConfigError

VARIABLE = "PASSAGE_CLOCK"


def from_environment(production: bool) -> Warp | None:
    raw = os.environ.get(VARIABLE, "").strip()
    if not raw:
        return None
    if production:
        raise ConfigError(f"{VARIABLE} is for the demo only; unset it in production")
    try:
        warp = Warp.decode(raw)
    except ValueError as exc:
        raise ConfigError(f"{VARIABLE}: {exc}") from exc
    set_warp(warp)
    return warp


def morning(speed: float, start: str, lead_seconds: float, time_zone: str) -> Warp:
    """Today at `start` (wall clock) reached `lead_seconds` from now, `speed` simulated
    minutes per real second: the time before is for migrating, seeding and starting."""
    if not 0 < speed <= 600 or not 0 <= lead_seconds <= 600:
        raise ConfigError("--speed must be in (0, 600] and --lead in [0, 600]")
    zone = ZoneInfo(time_zone)
    real = datetime.now(UTC) + timedelta(seconds=lead_seconds)
    wall = time.fromisoformat(start)
    sim = datetime.combine(datetime.now(zone).date(), wall, tzinfo=zone).astimezone(UTC)
    return Warp(real, sim, speed * 60)
