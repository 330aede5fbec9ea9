"""The event order lock: taken once per transaction, held until its end (PostgreSQL); the
events of one statement in order (both backends)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models.enums import EventType
from models.events import Event
from subscriptions import events


@pytest.fixture
def postgres(server: object) -> None:
    if connections.get("default").capabilities.dialect != "postgres":
        pytest.skip("the order lock is PostgreSQL's (SQLite has one writer)")


class _RolledBack(Exception):
    pass


async def _try_lock(database_url: str) -> bool:
    """Whether another session could take the order lock now."""
    url = urlunsplit(urlsplit(database_url)._replace(scheme="postgresql", query=""))
    other = await asyncpg.connect(url)
    try:
        lock = "SELECT pg_try_advisory_lock($1)"
        return bool(await other.fetchval(lock, events.EVENT_ORDER_LOCK))
    finally:
        await other.close()  # a session lock ends with its session


async def _rolled_back(
    agency_id: int, count: int, inside: Callable[[], Awaitable[None]] | None = None
) -> tuple[int, list[Event]]:
    """`count` events written in one transaction, then rolled back: (locks taken, events)."""
    locks = 0
    written: list[Event] = []

    def counting(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def statement(sql: str, values: list[object] | None = None) -> Any:
            nonlocal locks
            locks += "pg_advisory_xact_lock" in sql
            return await original(sql, values)

        return statement

    with contextlib.suppress(_RolledBack):
        async with in_transaction() as connection:
            for name in ("execute_query", "execute_query_dict"):
                setattr(connection, name, counting(getattr(connection, name)))
            now = datetime.now(UTC)
            for _ in range(count):
                event = await events.record_event(EventType.MESSAGE_SENT, now, agency_id=agency_id)
                written.append(event)
            if inside is not None:
                await inside()
            raise _RolledBack
    return locks, written


async def test_a_transaction_takes_the_order_lock_once_and_holds_it_to_its_end(
    postgres, settings, home_agency
):
    async def held() -> None:
        assert not await _try_lock(settings.database_url)

    locks, written = await _rolled_back(home_agency, 3, held)
    assert locks == 1
    assert [e.id for e in written] == list(range(written[0].id, written[0].id + 3))
    assert await _try_lock(settings.database_url)  # released with the transaction


async def test_each_transaction_takes_the_order_lock_again(postgres, home_agency):
    assert [(await _rolled_back(home_agency, 1))[0] for _ in range(2)] == [1, 1]


async def test_several_events_in_one_statement_keep_their_order(server, home_agency):
    # Both backends: one statement, ids drawn in the order of the rows.
    kinds = [EventType.MESSAGE_SENT, EventType.CONVERSATION_READ, EventType.RATED]
    with contextlib.suppress(_RolledBack):
        async with in_transaction():
            written = await events.record_many(_rows(home_agency, kinds, 7))
            stored = await Event.filter(id__in=[e.id for e in written]).order_by("id")
            raise _RolledBack
    assert [e.type for e in written] == kinds
    assert [e.id for e in written] == list(range(written[0].id, written[0].id + 3))
    assert [(e.id, e.type, e.occurred_at, e.subject_id) for e in stored] == [
        (e.id, e.type, e.occurred_at, 7) for e in written
    ]


def _rows(agency_id: int, kinds: list[EventType], subject_id: int | None = None) -> list[Any]:
    now = datetime.now(UTC)
    return [
        {
            "type": kind,
            "occurred_at": now,
            "agency_id": agency_id,
            "client_id": None,
            "worker_id": None,
            "previous_worker_id": None,
            "intervention_id": None,
            "status": None,
            "subject_id": subject_id,
        }
        for kind in kinds
    ]


async def test_events_sent_with_the_commit_hold_the_lock_only_within_it(
    postgres, settings, home_agency
):
    kinds = [EventType.ARRIVED, EventType.ANOMALY_FLAGGED, EventType.ANOMALY_FLAGGED]
    async with in_transaction():
        written = await events.record_many(_rows(home_agency, kinds, 7), at_commit=True)
        # Not written yet, and no lock taken: another writer goes on meanwhile.
        assert all(e.id is None for e in written)
        assert await _try_lock(settings.database_url)
    assert await _try_lock(settings.database_url)  # released with the commit
    ids = [e.id for e in written]
    assert ids == list(range(ids[0], ids[0] + 3))
    stored = await Event.filter(id__in=ids).order_by("id")
    assert [(e.id, e.type, e.subject_id) for e in stored] == [
        (i, k, 7) for i, k in zip(ids, kinds, strict=True)
    ]
    # Later events get later ids.
    later = await events.record_event(
        EventType.MESSAGE_SENT, datetime.now(UTC), agency_id=home_agency
    )
    assert later.id > ids[-1]


async def test_a_final_statement_that_fails_rolls_the_whole_transaction_back(postgres, home_agency):
    from tortoise.exceptions import BaseORMException

    from models.accounts.people import Agency

    name = f"rolled back {datetime.now(UTC).timestamp()}"

    async def write() -> None:
        async with in_transaction():
            await Agency.create(name=name)
            # A subject id past bigint: refused by the server, within the COMMIT's round trip.
            await events.record_many(_rows(home_agency, [EventType.RATED], 2**70), at_commit=True)

    with pytest.raises(BaseORMException):
        await write()
    assert not await Agency.filter(name=name).exists()
    # The connection went back clean: the next transactions work.
    async with in_transaction():
        (event,) = await events.record_many(_rows(home_agency, [EventType.RATED]), at_commit=True)
    assert await Event.filter(id=event.id).exists()


async def test_in_a_nested_block_events_are_written_at_once(postgres, settings, home_agency):
    with contextlib.suppress(_RolledBack):
        async with in_transaction():
            async with in_transaction():
                (event,) = await events.record_many(
                    _rows(home_agency, [EventType.RATED]), at_commit=True
                )
                assert event.id is not None  # a savepoint's end is no commit
                assert not await _try_lock(settings.database_url)
            raise _RolledBack
