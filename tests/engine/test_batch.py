"""Reads run side by side send their statements together (models/backends/batch.py).

On PostgreSQL the statements the reads of `together` come to at the same step go as one,
each part's rows in its own order and types, and each read gets exactly what its statement
alone gives, or its own error. Not in a transaction, nor on SQLite. Against the suite's
database; the planner's use of it is in tests/engine/test_planner.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from models.backends import batch
from models.db import one_connection
from tests import factories
from tests.factories import logged_statements


def _client() -> Any:
    return connections.get("default")


def _pooled() -> Any:
    client = _client()
    if client.capabilities.dialect != "postgres":
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL): SQLite has no round trip to save")
    return client


class _Sent(logging.Handler):
    """This test's statements (the server's own loops send theirs meanwhile)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args  # Tortoise logs ("%s: %s", sql, values)
        sql = str(args[0]) if isinstance(args, tuple) and args else record.getMessage()
        if "generate_series" in sql or "AS x" in sql or "AS n" in sql:
            self.sql.append(sql)


@contextmanager
def _sent() -> Iterator[_Sent]:
    """The statements Tortoise's client sends while the block runs."""
    sent = _Sent()
    with logged_statements(sent):
        yield sent


# Parameters in each, quoted text that looks like one, and rows in an order of their own.
SERIES = "SELECT n, 'n$1' AS label FROM generate_series(1, $1::int) AS n ORDER BY n DESC"
TYPED = """
SELECT $1::timestamptz AS at, $2::date AS day, $3::numeric(10, 2) AS amount,
       $4::boolean AS flag, $5::text AS words, NULL::int AS nothing, '{"a": 1}'::jsonb AS doc
"""
TYPED_VALUES = [
    datetime(2031, 3, 18, 9, 30, tzinfo=UTC),
    date(2024, 2, 29),
    Decimal("246.40"),
    True,
    "crédit d'impôt \\ 100 %",
]


async def _read(sql: str, values: list[Any]) -> list[dict[str, Any]]:
    return await batch.fetch(_client(), sql, values)


async def _numbers(count: int) -> list[dict[str, Any]]:
    """`count` rows, on either database."""
    if _client().capabilities.dialect == "postgres":
        return await _read(SERIES, [count])
    sql = "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?) "
    sql += "SELECT n FROM s"
    return await _read(sql, [count])


def test_parameters_are_renumbered_and_quoted_text_is_left_alone():
    sql = """SELECT '$1', "a$2", $1, $10 FROM t WHERE x LIKE $2 ESCAPE '\\' AND y = 'it''s $3'"""
    assert batch.renumbered(sql, 3) == (
        """SELECT '$1', "a$2", $4, $13 FROM t WHERE x LIKE $5 ESCAPE '\\' AND y = 'it''s $3'"""
    )
    assert batch.renumbered(sql, 0) is sql


async def test_statements_reached_together_are_sent_as_one_with_each_reads_rows(server):
    client = _pooled()
    alone = [
        await client.execute_query_dict(SERIES, [30]),
        await client.execute_query_dict(TYPED, TYPED_VALUES),
        await client.execute_query_dict(SERIES, [0]),
    ]
    async with one_connection():
        with _sent() as sent:
            found = await batch.together(
                [_read(SERIES, [30]), _read(TYPED, TYPED_VALUES), _read(SERIES, [0])]
            )
    assert found == alone
    assert [row["n"] for row in found[0]] == list(range(30, 0, -1))  # the part's own order
    assert found[0][0]["label"] == "n$1" and found[2] == []
    assert found[1][0]["at"] == TYPED_VALUES[0] and found[1][0]["nothing"] is None
    [statement] = sent.sql
    assert statement.startswith("SELECT ARRAY(SELECT _t FROM (") and "$6::text" in statement


async def test_each_read_goes_on_to_its_next_statement_with_the_others(server):
    client = _pooled()

    async def two(first: int, second: int) -> list[int]:
        rows = await _read(SERIES, [first])
        await asyncio.sleep(0)  # anything else awaited between two statements
        more = await _read(SERIES, [second + len(rows)])
        return [len(rows), len(more)]

    with _sent() as sent:
        found = await batch.together([two(1, 2), two(3, 4), _read(SERIES, [5])])
    assert found[:2] == [[1, 3], [3, 7]] and len(found[2]) == 5
    assert len(sent.sql) == 2  # the three first statements, then the two second ones
    assert all(s.startswith("SELECT ARRAY(") for s in sent.sql)
    del client


async def test_a_failing_statement_fails_its_own_read_only(server):
    _pooled()
    with _sent() as sent:
        found = await batch.together(
            [_read(SERIES, [2]), _read("SELECT 1 / $1::int AS x", [0]), _read(SERIES, [1])]
        )
    assert [len(found[0]), len(found[2])] == [2, 1]
    assert isinstance(found[1], OperationalError) and "division by zero" in str(found[1])
    # Together first; that failed, so each was sent on its own.
    assert len(sent.sql) == 4 and sent.sql[0].startswith("SELECT ARRAY(")


async def test_a_read_that_raises_or_awaits_a_future_keeps_its_place(server):
    loop = asyncio.get_running_loop()

    async def later() -> str:
        future = loop.create_future()
        loop.call_later(0.01, future.set_result, "later")
        return str(await future)

    async def refused() -> None:
        await asyncio.sleep(0)
        raise ValueError("no")

    found = await batch.together([later(), refused(), _numbers(3)])
    assert found[0] == "later" and isinstance(found[1], ValueError) and len(found[2]) == 3


async def test_cancelled_reads_are_closed(server):
    started: list[str] = []
    finished: list[str] = []

    async def slow(name: str) -> None:
        started.append(name)
        try:
            await _numbers(1)
            await asyncio.sleep(10)
        finally:
            finished.append(name)

    task = asyncio.ensure_future(batch.together([slow("a"), slow("b")]))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # Each read that began was told, the one waiting and the one waiting for its turn;
    # on PostgreSQL both began (their statements were sent together).
    assert started and sorted(finished) == sorted(started)
    if _client().capabilities.dialect == "postgres":
        assert started == ["a", "b"]


async def test_statements_in_a_transaction_are_sent_as_they_are(server):
    _pooled()
    async with in_transaction() as transaction:

        async def read(count: int) -> list[dict[str, Any]]:
            return await batch.fetch(transaction, SERIES, [count])

        with _sent() as sent:
            found = await batch.together([read(2), read(3)])
    assert [len(rows) for rows in found] == [2, 3]
    assert sent.sql == [SERIES, SERIES]


async def test_on_sqlite_each_statement_is_sent_as_it_is(server):
    client = _client()
    if client.capabilities.dialect != "sqlite":
        pytest.skip("SQLite only")
    sql = "SELECT ? AS n"
    with _sent() as sent:
        found = await batch.together([_read(sql, [1]), _read(sql, [2])])
    assert found == [[{"n": 1}], [{"n": 2}]] and sent.sql == [sql, sql]


async def test_reads_cancelled_during_their_statement_leave_the_pool_whole(server):
    client = _pooled()
    sleepy = "SELECT pg_sleep($1::float) AS slept"

    async def reading() -> list[Any]:
        async with one_connection():
            return await batch.together([_read(sleepy, [10]), _read(SERIES, [3])])

    for delay in (0, 0.01, 0.05):
        await factories.cancelled_after(reading, delay)
        await factories.pool_all_back(client)
        async with one_connection():  # and what follows reads as before
            found = await batch.together([_read(SERIES, [2]), _read(SERIES, [1])])
        assert [len(rows) for rows in found] == [2, 1]
