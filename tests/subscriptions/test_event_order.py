"""The event order lock: taken once per transaction, held until its end (PostgreSQL)."""

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


async def test_several_events_in_one_statement_keep_their_order(postgres, home_agency):
    now = datetime.now(UTC)
    kinds = [EventType.MESSAGE_SENT, EventType.CONVERSATION_READ, EventType.RATED]
    rows = [
        {
            "type": kind,
            "occurred_at": now,
            "agency_id": home_agency,
            "client_id": None,
            "worker_id": None,
            "previous_worker_id": None,
            "intervention_id": None,
            "status": None,
            "subject_id": None,
        }
        for kind in kinds
    ]
    with contextlib.suppress(_RolledBack):
        async with in_transaction():
            written = await events.record_many(rows)
            stored = await Event.filter(id__in=[e.id for e in written]).order_by("id")
            raise _RolledBack
    assert [e.type for e in written] == kinds
    assert [e.id for e in written] == list(range(written[0].id, written[0].id + 3))
    assert [(e.id, e.type) for e in stored] == [(e.id, e.type) for e in written]
