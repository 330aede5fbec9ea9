"""The local date an invoice's shown status is judged on (`clock.today_in`): it keeps the
local day's bounds, so it must turn at the zone's midnight exactly, both ways, whatever
the clock did before (a warped clock may go back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services import clock

INSTANTS = [
    datetime(2026, 12, 5, 22, 59, 59, 999999, tzinfo=UTC),  # Paris, winter: 23:59:59.999999
    datetime(2026, 12, 5, 23, 0, tzinfo=UTC),  # Paris midnight
    datetime(2026, 3, 28, 23, 0, tzinfo=UTC),  # the night clocks go forward
    datetime(2026, 3, 29, 21, 59, 59, tzinfo=UTC),  # a 23-hour day's last second
    datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
    datetime(2026, 10, 24, 22, 0, tzinfo=UTC),  # the night clocks go back: a 25-hour day
    datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC),
    datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
    datetime(2026, 12, 5, 10, 0, tzinfo=UTC),  # back in time, to a day kept before
]
ZONES = ["Europe/Paris", "America/Sao_Paulo", "Pacific/Kiritimati", "UTC"]


@pytest.fixture
def standing():
    before = clock.current_warp()
    yield lambda at: clock.set_warp(clock.Warp(at, at, 0.0))
    clock.set_warp(before)


@pytest.mark.parametrize("zone", ZONES)
def test_the_local_date_turns_at_the_zone_s_midnight(standing, zone):
    for instant in INSTANTS:
        for moment in (instant, instant - timedelta(microseconds=1), instant + timedelta(hours=1)):
            standing(moment)
            assert clock.today_in(zone) == moment.astimezone(ZoneInfo(zone)).date(), moment
