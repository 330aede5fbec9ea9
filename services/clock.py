"""One clock for the whole code base, so rules are written against aware UTC times.

The demo may run the server on the simulation's clock (a `Warp`: started at a chosen
instant, running `speed` times faster than the real one), so a whole day plays in
minutes with every rule (too early, late, missed) judged on the same clock as the
phones. Set through PASSAGE_CLOCK (see docs/demo.md); never in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Warp:
    real_start: datetime
    sim_start: datetime
    speed: float = 1.0  # 0 stands still: a fixed instant, for tests

    def at(self, real: datetime) -> datetime:
        return self.sim_start + (real - self.real_start) * self.speed

    def encode(self) -> str:
        return f"{self.real_start.isoformat()},{self.sim_start.isoformat()},{self.speed:g}"

    @classmethod
    def decode(cls, text: str) -> Warp:
        """From `encode()`'s form: real start, simulated start (ISO, aware), speed."""
        real, sim, speed = text.split(",")
        warp = cls(datetime.fromisoformat(real), datetime.fromisoformat(sim), float(speed))
        if warp.real_start.tzinfo is None or warp.sim_start.tzinfo is None or warp.speed <= 0:
            raise ValueError("aware instants and a positive speed are required")
        return warp


_warp: Warp | None = None


def utcnow() -> datetime:
    real = datetime.now(UTC)
    return real if _warp is None else _warp.at(real)


def set_warp(warp: Warp | None) -> None:
    global _warp
    _warp = warp


def current_warp() -> Warp | None:
    return _warp


# By time zone: the UTC bounds of the local day last asked for, and its date.
_DAYS: dict[str, tuple[datetime, datetime, date]] = {}
_DAYS_KEPT = 64


def today_in(time_zone: str) -> date:
    """The date in `time_zone` at `utcnow()`. The local day's bounds are kept, so that a
    page of rows asking it each (an invoice's shown status) compares two instants."""
    now = utcnow()
    kept = _DAYS.get(time_zone)
    if kept is not None and kept[0] <= now < kept[1]:
        return kept[2]
    zone = ZoneInfo(time_zone)
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    if start <= now < end:  # else (a zone whose midnight is skipped) not kept
        if len(_DAYS) >= _DAYS_KEPT:
            _DAYS.clear()
        _DAYS[time_zone] = (start, end, day)
    return day
