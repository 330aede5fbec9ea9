"""Planning rules through the API, in time: no worker booked twice, sensible slots, times
with their offsets, visits begun or done left alone; each rule refused with bad input, and
nothing changed. Whose visits and addresses: test_planning_parties.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.visits.visits import Intervention
from tests.factories import (
    CHECK_IN,
    CHECK_OUT,
    codes,
    pk,
    schedule,
    slot,
)
from tests.visits.factories import (
    cancel,
    reassign,
    reschedule,
    second_worker,
)


async def test_a_worker_is_never_booked_twice_at_overlapping_times(
    api, team, settings, home_agency
):
    first = await schedule(api, team, hours_from_now=30)
    assert first["userErrors"] == []
    overlapping = await schedule(api, team, hours_from_now=31)
    assert overlapping["intervention"] is None
    assert overlapping["userErrors"] == [
        {
            "field": ["workerId"],
            "message": "L'intervenant est déjà pris sur ce créneau.",
            "code": "WORKER_UNAVAILABLE",
        }
    ]
    # Back to back is not overlapping: the slot [start, end) ends where the next begins.
    after = await schedule(api, team, hours_from_now=32)
    assert after["userErrors"] == []

    # Moving the second visit onto the first is refused, and the visit stays where it was.
    start, end = slot(31)
    moved = await reschedule(api, team, after["intervention"]["id"], start, end)
    assert codes(moved) == ["WORKER_UNAVAILABLE"]
    row = await Intervention.get(id=pk(after["intervention"]["id"]))
    assert row.scheduled_start.isoformat() == after["intervention"]["scheduledStart"]

    # Giving another worker's overlapping visit to this worker is refused too.
    other_worker, _ = await second_worker(api, settings, home_agency)
    theirs = await schedule(api, team, hours_from_now=30.5, workerId=other_worker)
    assert theirs["userErrors"] == []
    refused = await reassign(api, team, theirs["intervention"]["id"], team.worker_id)
    assert codes(refused) == ["WORKER_UNAVAILABLE"]
    assert (await Intervention.get(id=pk(theirs["intervention"]["id"]))).worker_id == pk(
        other_worker
    )


async def test_a_cancelled_visit_frees_the_workers_slot(api, team):
    visit = (await schedule(api, team, hours_from_now=40))["intervention"]
    assert codes(await schedule(api, team, hours_from_now=40)) == ["WORKER_UNAVAILABLE"]
    blank = await cancel(api, team, visit["id"], reason="   ")
    assert codes(blank) == ["INVALID_REASON"]
    assert codes(await cancel(api, team, visit["id"], reason="x" * 501)) == ["INVALID_REASON"]
    cancelled = await cancel(api, team, visit["id"], reason="  Client hospitalisé  ")
    assert cancelled["userErrors"] == []
    assert cancelled["intervention"] == {
        "id": visit["id"],
        "status": "CANCELLED",
        "cancellationReason": "Client hospitalisé",
    }
    again = await schedule(api, team, hours_from_now=40)
    assert again["userErrors"] == []
    # A cancelled visit cannot be cancelled, moved or handed over any more.
    start, end = slot(50)
    assert codes(await cancel(api, team, visit["id"])) == ["NOT_EDITABLE"]
    assert codes(await reschedule(api, team, visit["id"], start, end)) == ["NOT_EDITABLE"]


@pytest.mark.parametrize(
    ("hours_from_now", "length_hours", "code"),
    [
        (5, 0, "END_BEFORE_START"),
        (5, -1, "END_BEFORE_START"),
        (5, 12 + 1 / 60, "TOO_LONG"),
        (5, 29 / 60, "TOO_SHORT"),
        (-1, 2, "PAST_START"),
        (-48, 2, "PAST_START"),
    ],
)
async def test_a_slot_must_be_a_sensible_future_span(api, team, hours_from_now, length_hours, code):
    start, end = slot(hours_from_now, length_hours)
    payload = await schedule(api, team, scheduledStart=start, scheduledEnd=end)
    assert payload["intervention"] is None
    assert codes(payload) == [code]

    visit = (await schedule(api, team, hours_from_now=60))["intervention"]
    moved = await reschedule(api, team, visit["id"], start, end)
    assert codes(moved) == [code]
    row = await Intervention.get(id=pk(visit["id"]))
    assert row.scheduled_start.isoformat() == visit["scheduledStart"]


async def test_the_longest_and_shortest_slots_are_accepted(api, team):
    for hours_from_now, length in ((70, 12), (90, 0.5)):
        start, end = slot(hours_from_now, length)
        payload = await schedule(api, team, scheduledStart=start, scheduledEnd=end)
        assert payload["userErrors"] == [], (length, payload)


async def test_times_are_read_with_their_offset_and_answered_with_one(api, team):
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    start = later.astimezone(ZoneInfo("Europe/Paris"))
    end = start + timedelta(hours=2)
    payload = await schedule(
        api, team, scheduledStart=start.isoformat(), scheduledEnd=end.isoformat()
    )
    assert payload["userErrors"] == []
    shown = datetime.fromisoformat(payload["intervention"]["scheduledStart"])
    assert shown.utcoffset() is not None
    assert shown == start
    row = await Intervention.get(id=pk(payload["intervention"]["id"]))
    assert row.scheduled_start == start
    assert row.scheduled_start.utcoffset() == timedelta(0)  # stored in UTC
    naive = await schedule(
        api,
        team,
        scheduledStart=start.replace(tzinfo=None).isoformat(),
        scheduledEnd=end.replace(tzinfo=None).isoformat(),
    )
    assert codes(naive) == ["NAIVE_DATETIME"]


async def test_a_visit_in_progress_or_finished_cannot_be_changed(api, team, settings, home_agency):
    other_worker, _ = await second_worker(api, settings, home_agency)
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    start, end = slot(120)

    async def refused_everything() -> None:
        assert codes(await reschedule(api, team, visit["id"], start, end)) == ["NOT_EDITABLE"]
        assert codes(await reassign(api, team, visit["id"], other_worker)) == ["NOT_EDITABLE"]
        assert codes(await cancel(api, team, visit["id"])) == ["NOT_EDITABLE"]

    arrived = await api.data(
        CHECK_IN, {"input": {"interventionId": visit["id"]}}, token=team.worker_token
    )
    assert arrived["checkIn"]["userErrors"] == []
    await refused_everything()
    departed = await api.data(
        CHECK_OUT, {"input": {"interventionId": visit["id"]}}, token=team.worker_token
    )
    assert departed["checkOut"]["intervention"]["status"] == "COMPLETED"
    await refused_everything()
    row = await Intervention.get(id=pk(visit["id"]))
    assert (row.status, row.worker_id) == ("COMPLETED", pk(team.worker_id))
    assert row.scheduled_start.isoformat() == visit["scheduledStart"]


async def test_concurrent_moves_and_handovers_never_book_a_worker_twice(
    api, team, settings, home_agency
):
    """A move and a handover of one visit at once: never both when together they clash."""
    other_worker, _ = await second_worker(api, settings, home_agency)
    for attempt in range(6):
        base = 300 + attempt * 10
        busy = await schedule(api, team, hours_from_now=base, workerId=other_worker)
        assert busy["userErrors"] == []
        visit = (await schedule(api, team, hours_from_now=base + 4))["intervention"]
        start, end = slot(base + 0.5)
        moved, handed = await asyncio.gather(
            reschedule(api, team, visit["id"], start, end),
            reassign(api, team, visit["id"], other_worker),
        )
        assert moved["userErrors"] == [] or handed["userErrors"] == [], (moved, handed)
        row = await Intervention.get(id=pk(visit["id"]))
        clashes = await Intervention.filter(
            worker_id=row.worker_id,
            status="SCHEDULED",
            scheduled_start__lt=row.scheduled_end,
            scheduled_end__gt=row.scheduled_start,
        ).count()
        assert clashes == 1, (attempt, moved, handed)
