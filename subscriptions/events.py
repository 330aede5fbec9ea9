"""Writing, publishing and relaying intervention events (the outbox of DESIGN.md).

`record()` is called inside the transaction of the change; `publish()` after
commit. On PostgreSQL, writers take a transaction-scoped advisory lock before
inserting an event, so event ids commit in id order and a subscriber that has
seen id N can never later miss an id below N. The lock serialises every writer
of the log until its commit, so a transaction takes it once, writes its events
last, and has nothing but its events and its commit left to do while holding it.

Published events are marked so in batches: each process gathers the ids it
published for MARK_SECONDS and writes them in one statement, instead of one write
transaction per event. The relay only looks at events older than RELAY_AFTER,
far longer, so it finds the ones never published (a crash between commit and
publish, a bus that was down), not the ones about to be marked; and should a
mark be lost, the relay publishes the event again, which every hub drops as a
duplicate (ids at or below the newest one it handed out).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, cast

import orjson
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from models.backends.asyncpg import Transaction
from models.db import ids_parameter
from models.enums import EventType, InterventionStatus
from models.events import Event
from models.visits.visits import Intervention
from subscriptions.bus import Bus

log = logging.getLogger("passage.events")

EVENT_ORDER_LOCK = 7_240_001  # arbitrary, project-wide advisory lock key
# The bus channel that carries every event; each process routes them to its subscribers
# by audience (`EventRecord.channels()`, see subscriptions/hub.py).
STREAM = "events"
RELAY_AFTER = timedelta(seconds=2)
# How long a process gathers the ids it published before marking them, in one statement.
MARK_SECONDS = 0.1
MARK_BATCH = 500  # ids per statement (SQLite allows 32,766 parameters)


@dataclass(frozen=True)
class EventRecord:
    id: int
    type: str
    occurred_at: str
    agency_id: int
    client_id: int | None
    worker_id: int | None
    previous_worker_id: int | None
    intervention_id: int | None
    status: str | None
    subject_id: int | None = None

    @classmethod
    def from_model(cls, event: Event) -> EventRecord:
        return cls(
            id=event.id,
            type=str(event.type),
            occurred_at=event.occurred_at.isoformat(),
            agency_id=event.agency_id,
            client_id=event.client_id,
            worker_id=event.worker_id,
            previous_worker_id=event.previous_worker_id,
            intervention_id=event.intervention_id,
            status=str(event.status) if event.status else None,
            subject_id=event.subject_id,
        )

    @classmethod
    def from_json(cls, raw: str) -> EventRecord:
        return cls(**json.loads(raw))

    def to_json(self) -> str:
        # orjson writes the dataclass itself, compact, as `json.dumps(asdict(self))` did
        # (every value is ASCII: names, ISO dates and numbers).
        return orjson.dumps(self).decode()

    def channels(self) -> list[str]:
        names = [f"agency:{self.agency_id}"]
        if self.client_id is not None:
            names.append(f"client:{self.client_id}")
        for worker in {self.worker_id, self.previous_worker_id} - {None}:
            names.append(f"worker:{worker}")
        return names


# The transactions that already hold the order lock (it is held until their end).
_holding: weakref.WeakSet[TransactionalDBClient] = weakref.WeakSet()


# The columns an event is written with on PostgreSQL, and their types: the values are
# selected (after the lock), not inserted as VALUES, so each parameter says its type.
_COLUMNS = (
    ("type", "varchar"),
    ("occurred_at", "timestamptz"),
    ("agency_id", "integer"),
    ("client_id", "integer"),
    ("worker_id", "integer"),
    ("previous_worker_id", "integer"),
    ("intervention_id", "integer"),
    ("status", "varchar"),
    ("subject_id", "bigint"),
)
_NAMES = ", ".join(f'"{name}"' for name, _ in _COLUMNS)


_PICKED = ", ".join(f'v."{name}"' for name, _ in _COLUMNS)


def _insert(values: list[list[str]], lock: str = "", tail: str = "") -> str:
    """The insert of events whose columns are the SQL expressions `values` (one list per
    event, in `_COLUMNS` order), ids drawn in that order: the values are selected, not
    inserted as plain VALUES, so each one says its type. `lock` and `tail`: a CTE taking
    the order lock, and what follows the source (the CTE's name, RETURNING)."""
    rows = ", ".join(
        f"({n}, "
        + ", ".join(f"{value}::{kind}" for value, (_, kind) in zip(row, _COLUMNS, strict=True))
        + ")"
        for n, row in enumerate(values)
    )
    source = f"(VALUES {rows}) AS v(n, {_NAMES})"
    return (
        f'{lock}INSERT INTO "event" ({_NAMES}) '  # noqa: S608 - constants, checked literals
        f"SELECT {_PICKED} FROM {source}{tail}"
    )


@functools.lru_cache(maxsize=16)
def _insert_sql(count: int, lock: bool) -> str:
    """`count` events in one statement, with parameters, inserted in the order given.

    Without the lock yet, the statement takes it first: a CTE with a volatile function is
    run once, before any row it feeds is inserted. With it (an earlier event of the same
    transaction took it), the rows alone."""
    width = len(_COLUMNS)
    first = 2 if lock else 1
    marks = [[f"${first + n * width + i}" for i in range(width)] for n in range(count)]
    if lock:
        return _insert(
            marks,
            "WITH lock AS (SELECT pg_advisory_xact_lock($1)) ",
            ', lock ORDER BY v.n RETURNING "id"',
        )
    return _insert(marks, tail=' ORDER BY v.n RETURNING "id"')


def _literal(value: Any, kind: str) -> str | None:
    """A value of an event column as an SQL literal, or None when it is not one of the
    plain kinds events hold (then the events are written the usual way)."""
    if value is None:
        return "NULL"
    if kind in ("integer", "bigint"):
        return str(value) if type(value) is int else None
    if kind == "timestamptz":
        if isinstance(value, datetime) and value.tzinfo is not None:
            return f"'{value.isoformat()}'"
        return None
    text = value.value if isinstance(value, Enum) else value
    return f"'{text}'" if isinstance(text, str) and _PLAIN.fullmatch(text) else None


_PLAIN = re.compile(r"[A-Z][A-Z0-9_]{0,63}")  # the values of our enums (event types, statuses)


def _final_sql(rows: Sequence[dict[str, Any]]) -> str | None:
    """The order lock and the insert of `rows`, as literals: sent with the COMMIT."""
    values = []
    for row in rows:
        literals = [_literal(row[name], kind) for name, kind in _COLUMNS]
        if None in literals:
            return None
        values.append(cast(list[str], literals))
    lock = f"SELECT pg_advisory_xact_lock({EVENT_ORDER_LOCK});\n"
    return lock + _insert(values, tail=" ORDER BY v.n")


def _ids_for(written: list[Event]) -> Callable[[Any], Awaitable[None]]:
    """Once committed: the events' ids, the last ones this session drew from the log's
    sequence, in order (every writer draws its ids under the order lock, so they are
    consecutive)."""

    async def read(connection: Any) -> None:
        last = await connection.fetchval(_LAST_ID)
        for offset, event in enumerate(written):
            event.id = last - len(written) + 1 + offset
            event._saved_in_db = True

    return read


_LAST_ID = "SELECT currval(pg_get_serial_sequence('event', 'id'))"


async def record_many(rows: Sequence[dict[str, Any]], *, at_commit: bool = False) -> list[Event]:
    """Events of one transaction, in this order (ids in this order), the columns of each
    given by name (see `record_event`). On PostgreSQL one statement, which takes the order
    lock when the transaction does not hold it yet (it is then held until the end).

    `at_commit`: the transaction's last write, sent with its COMMIT in one round trip
    (models/backends/asyncpg.py), so the lock is held for no more than the server's own
    insert and commit. The events' ids are known once the transaction has committed."""
    if not rows:
        return []
    connection = connections.get("default")
    params = [
        value.value if isinstance(value, Enum) else value
        for values in rows
        for value in (values[name] for name, _ in _COLUMNS)
    ]
    if connection.capabilities.dialect != "postgres":
        # One writer at a time: ids commit in order, drawn in the order of the rows.
        found = await connection.execute_query_dict(_sqlite_insert_sql(len(rows)), params)
        return _written(found, rows)
    if at_commit and isinstance(connection, Transaction) and connection not in _holding:
        written = [Event(published_at=None, **values) for values in rows]
        statements = _final_sql(rows)
        if statements is not None and connection.end_with(statements, _ids_for(written)):
            return written
    if connection in _holding:
        found = await connection.execute_query_dict(_insert_sql(len(rows), False), params)
    else:
        sql = _insert_sql(len(rows), True)
        found = await connection.execute_query_dict(sql, [EVENT_ORDER_LOCK, *params])
        if isinstance(connection, TransactionalDBClient):
            # Tortoise makes a client per transaction: the next events of this one need
            # no lock (a nested block has a client of its own and takes it again, which
            # PostgreSQL grants at once).
            _holding.add(connection)
    return _written(found, rows)


def _written(found: list[dict[str, Any]], rows: Sequence[dict[str, Any]]) -> list[Event]:
    """The events of `rows` as inserted, given the ids the insert returned."""
    written = []
    for pk, values in zip(sorted(row["id"] for row in found), rows, strict=True):
        event = Event(id=pk, published_at=None, **values)
        event._saved_in_db = True
        written.append(event)
    return written


@functools.lru_cache(maxsize=16)
def _sqlite_insert_sql(count: int) -> str:
    """`count` events in one statement on SQLite, ids drawn in the order of the rows."""
    row = "(" + ", ".join("?" * len(_COLUMNS)) + ")"
    rows = ", ".join([row] * count)
    return f'INSERT INTO "event" ({_NAMES}) VALUES {rows} RETURNING "id"'  # noqa: S608


def on_visit(
    event_type: EventType,
    intervention: Intervention,
    now: datetime,
    previous_worker_id: int | None = None,
) -> dict[str, Any]:
    """The columns of an event on a visit, for `record_many` (audience: staff, its client
    and its worker)."""
    status: InterventionStatus = intervention.status
    return {
        "type": event_type,
        "occurred_at": now,
        "agency_id": intervention.agency_id,
        "client_id": intervention.client_id,
        "worker_id": intervention.worker_id,
        "previous_worker_id": previous_worker_id,
        "intervention_id": intervention.id,
        "status": status,
        "subject_id": None,
    }


async def record(
    event_type: EventType,
    intervention: Intervention,
    now: datetime,
    previous_worker_id: int | None = None,
) -> Event:
    """An event on a visit. Call last in the transaction of the change (the order lock is
    held to commit)."""
    (event,) = await record_many([on_visit(event_type, intervention, now, previous_worker_id)])
    return event


async def record_event(
    event_type: EventType,
    now: datetime,
    *,
    agency_id: int,
    client_id: int | None = None,
    worker_id: int | None = None,
    previous_worker_id: int | None = None,
    intervention_id: int | None = None,
    status: InterventionStatus | None = None,
    subject_id: int | None = None,
) -> Event:
    """Any event of the log. The audience is the agency's staff, plus the client and the
    worker when given. Call last in the transaction of the change (the order lock is held
    from here to the commit), then `publish()`."""
    (event,) = await record_many(
        [
            {
                "type": event_type,
                "occurred_at": now,
                "agency_id": agency_id,
                "client_id": client_id,
                "worker_id": worker_id,
                "previous_worker_id": previous_worker_id,
                "intervention_id": intervention_id,
                "status": status,
                "subject_id": subject_id,
            }
        ]
    )
    return event


class _Marks:
    """Ids this process published on one bus and has yet to mark as published."""

    def __init__(self) -> None:
        self.pending: list[int] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, event_id: int) -> None:
        self.pending.append(event_id)
        if self._task is None:
            self._task = asyncio.create_task(self._later(), name="event-marks")

    async def _later(self) -> None:
        try:
            await asyncio.sleep(MARK_SECONDS)
            await self.flush()
        finally:
            self._task = None

    async def flush(self) -> None:
        while self.pending:
            ids, self.pending = self.pending[:MARK_BATCH], self.pending[MARK_BATCH:]
            try:
                db = Event._meta.db
                dialect = db.capabilities.dialect
                await db.execute_query(
                    _MARKED[dialect], [datetime.now(UTC), ids_parameter(dialect, ids)]
                )
            except Exception:
                log.warning("marking %d published event(s) failed; relayed later", len(ids))


# One statement per dialect whatever the number of ids (`ids_parameter`).
_MARKED = {
    "postgres": "UPDATE event SET published_at = $1 "
    "WHERE id = ANY($2::bigint[]) AND published_at IS NULL",
    "sqlite": "UPDATE event SET published_at = ? "
    "WHERE id IN (SELECT value FROM json_each(?)) AND published_at IS NULL",
}


_marks: weakref.WeakKeyDictionary[Bus, _Marks] = weakref.WeakKeyDictionary()


def _marks_of(bus: Bus) -> _Marks:
    marks = _marks.get(bus)
    if marks is None:
        marks = _marks[bus] = _Marks()
        bus.before_disconnect(marks.flush)
    return marks


async def flush_marks(bus: Bus) -> None:
    """Marks at once what this process published on `bus` and has not marked yet."""
    await _marks_of(bus).flush()


# A list this short (a check-in's arrival and its flags) goes to Redis in one round trip.
# A longer one (the relay, a busy transaction) goes one event at a time with the loop
# running between them: the hub hands a batch to subscribers' queues at once, and a
# batch longer than a queue (subscriber_queue_size) would overflow the fastest reader.
ONE_TRIP = 8


async def publish(bus: Bus, events: list[Event]) -> None:
    """After commit: tell every process; the marks of publication follow within
    MARK_SECONDS. Failures are relayed later (a subscriber never gets an event twice:
    the hub delivers by id)."""
    marks = _marks_of(bus)
    if 1 < len(events) <= ONE_TRIP:
        try:
            await bus.publish_many(STREAM, [EventRecord.from_model(e).to_json() for e in events])
        except Exception:
            ids = ", ".join(str(e.id) for e in events)
            log.warning("publish of events %s failed; the relay will retry", ids)
            return
        for event in events:
            marks.add(event.id)
        return
    for index, event in enumerate(events):
        if index:
            await asyncio.sleep(0)
        try:
            await bus.publish(STREAM, EventRecord.from_model(event).to_json())
        except Exception:
            log.warning("publish of event %s failed; the relay will retry", event.id)
            continue
        marks.add(event.id)


async def relay_once(bus: Bus, batch: int = 200) -> int:
    """Publishes events committed but never published (a crash between commit and publish)."""
    await flush_marks(bus)  # not what this process published a moment ago
    cutoff = datetime.now(UTC) - RELAY_AFTER
    stale = (
        await Event.filter(published_at=None, occurred_at__lt=cutoff).order_by("id").limit(batch)
    )
    await publish(bus, stale)
    await flush_marks(bus)
    return len(stale)
