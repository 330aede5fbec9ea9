"""Reads run side by side, their statements sent together: one round trip for several.

On PostgreSQL a statement's cost inside the app is its round trip (about 0.1 ms of CPU
under load, docs/benchmarks.md), not its SQL: `node(id:)` five times was five statements
in a row, one per root. `together(reads)` runs several reads (coroutines) side by side in
the calling task, a step each in turn, without a task of their own: when every read still
running has come to a statement (`fetch`), the statements go to PostgreSQL as one:

    SELECT ARRAY(SELECT _t FROM (<first>) _t) AS r0, ARRAY(SELECT _t FROM (<second>) _t) AS r1

Each part is the statement as written (its parameters renumbered after the ones before
it), its rows an array of records in the part's own order (PostgreSQL builds the array
by scanning the part's result as it comes, its ORDER BY and LIMIT applied inside it), each
column decoded by its type as a statement of its own would be (tests/engine/test_batch.py;
the planner's differential tests compare every page, in order, on PostgreSQL too). A
part's column names are read once per text (asyncpg's `prepare`, kept in a bounded
cache). Then each read goes on with its rows, and the reads that come to another
statement are sent together again.

What is never combined: a statement in a transaction (its client is not the pool's), on
SQLite (no round trip to save), from a task the reads started themselves, or past
`MOST_PARAMETERS` together. A lone statement is sent as it is. Should the combined
statement fail, its parts are sent one by one, so that each read gets its own rows or its
own error. A read awaiting anything else (a pool connection, a lock) is waited for in
turn; the others wait with their statements.

Only reads go through here (schema/engine/planner.py runs a document's roots together);
resolvers/core/prepared.py's `PreparedRows.fetch` is the statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Coroutine, Generator, Sequence
from contextvars import ContextVar
from typing import Any

from cachetools import LRUCache

from models.backends.asyncpg import Client

# The task running `together`: a statement made in it, by one of its reads, may wait to
# be sent with the others'.
_DRIVER: ContextVar[asyncio.Task[Any] | None] = ContextVar("passage_reads_together", default=None)
# Statement text -> its columns' names; combined texts by their parts.
_NAMES: LRUCache[str, tuple[str, ...]] = LRUCache(1024)
_COMBINED: LRUCache[tuple[str, ...], str] = LRUCache(256)
# PostgreSQL takes up to 65535 parameters in a statement.
MOST_PARAMETERS = 30_000
# A quoted literal or name (left alone), or a parameter `$n`.
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$(\d+)")

Rows = list[dict[str, Any]]


def renumbered(sql: str, offset: int) -> str:
    """`sql` with each parameter `$n` made `$(n + offset)`; quoted text is left alone."""
    if not offset:
        return sql

    def one(match: re.Match[str]) -> str:
        number = match.group(1)
        return match.group(0) if number is None else f"${int(number) + offset}"

    return _TOKEN.sub(one, sql)


class _Statement:
    """A read's statement, handed to `together` by the `await` in `fetch`."""

    __slots__ = ("db", "params", "sql")

    def __init__(self, db: Any, sql: str, params: list[Any]) -> None:
        self.db = db
        self.sql = sql
        self.params = params

    def __await__(self) -> Generator[Any, Any, Rows]:
        rows: Rows = yield self
        return rows


async def fetch(db: Any, sql: str, params: list[Any]) -> Rows:
    """The rows of one statement, as Tortoise's `execute_query_dict` gives them: sent with
    the other reads' when this one runs in `together` on the pool (PostgreSQL)."""
    driver = _DRIVER.get()
    # The pool's client on PostgreSQL (not a transaction's), in the task of `together`.
    if driver is None or type(db) is not Client or driver is not asyncio.current_task():
        rows: Rows = await db.execute_query_dict(sql, params)
        return rows
    return await _Statement(db, sql, params)


async def together(reads: Sequence[Coroutine[Any, Any, Any]]) -> list[Any]:
    """Each read's result, or the exception it raised, in order; see the module's
    docstring. Every read is run to its end, or closed should this be cancelled. A lone
    read has nothing to be sent with: it is simply awaited."""
    if len(reads) <= 1:
        return [await _alone(read) for read in reads]
    results: list[Any] = [None] * len(reads)
    # What each read is resumed with: (an error?, the value).
    resume: list[tuple[bool, Any]] = [(False, None)] * len(reads)
    running = list(range(len(reads)))
    token = _DRIVER.set(asyncio.current_task())
    try:
        while running:
            waiting: list[tuple[int, _Statement]] = []
            for index in running:
                read = reads[index]
                failed, value = resume[index]
                while True:  # until its next statement, or its end
                    try:
                        yielded = read.throw(value) if failed else read.send(value)
                    except StopIteration as stop:
                        results[index] = stop.value
                        break
                    except Exception as error:
                        results[index] = error
                        break
                    if type(yielded) is _Statement:
                        waiting.append((index, yielded))
                        break
                    failed, value = False, None
                    if yielded is not None and not asyncio.isfuture(yielded):
                        failed, value = True, RuntimeError(f"a read yielded {yielded!r}")
                        continue  # as a task refuses it
                    try:
                        await _wait(yielded)
                    except asyncio.CancelledError as cancelled:
                        # Into the read first, as its task would: what it awaited
                        # (a statement on a connection, say) is told and cleans up.
                        with contextlib.suppress(BaseException):
                            read.throw(cancelled)
                        raise
            running = [index for index, _ in waiting]
            if waiting:
                answers = await _send([s for _, s in waiting])
                for (index, _), answer in zip(waiting, answers, strict=True):
                    resume[index] = answer
        return results
    finally:
        _DRIVER.reset(token)
        for read in reads:
            read.close()  # a no-op for those that ended


async def _alone(read: Coroutine[Any, Any, Any]) -> Any:
    try:
        return await read
    except Exception as error:
        return error


async def _wait(yielded: asyncio.Future[Any] | None) -> None:
    """What a read awaits besides a statement, waited for in this task: a future (asyncio's
    `await`) or a bare yield (`asyncio.sleep(0)`); the read then goes on.

    The read's own `await` marked the future as waited for; awaiting it again would be
    refused, so this awaits a future of its own, done when that one is."""
    if yielded is None:
        await asyncio.sleep(0)
        return
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def wake(_: Any) -> None:
        if not done.done():
            done.set_result(None)

    yielded.add_done_callback(wake)
    try:
        await done
    finally:
        yielded.remove_done_callback(wake)


async def _send(statements: list[_Statement]) -> list[tuple[bool, Any]]:
    """Each statement's rows, or its error: (False, rows) or (True, error)."""
    db = statements[0].db
    if (
        len(statements) > 1
        and all(s.db is db for s in statements)
        and sum(len(s.params) for s in statements) <= MOST_PARAMETERS
    ):
        try:
            return [(False, rows) for rows in await _combined(db, statements)]
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: S110 - each sent on its own below says what failed
            pass
    answers: list[tuple[bool, Any]] = []
    for s in statements:
        try:
            answers.append((False, await s.db.execute_query_dict(s.sql, s.params)))
        except asyncio.CancelledError:
            raise
        except Exception as error:
            answers.append((True, error))
    return answers


async def _combined(db: Any, statements: list[_Statement]) -> list[Rows]:
    """The statements' rows, read by one statement."""
    for s in statements:
        if s.sql not in _NAMES:
            async with db.acquire_connection() as connection:
                prepared = await connection.prepare(s.sql)
                _NAMES[s.sql] = tuple(a.name for a in prepared.get_attributes())
    key = tuple(s.sql for s in statements)  # a text's parameters are always as many
    text = _COMBINED.get(key)
    if text is None:
        parts, offset = [], 0
        for index, s in enumerate(statements):
            # Statements Passage wrote (parameters bound, not text): nothing of the request.
            part = renumbered(s.sql, offset)
            parts.append(f"ARRAY(SELECT _t FROM ({part}) _t) AS r{index}")  # noqa: S608
            offset += len(s.params)
        text = _COMBINED[key] = "SELECT " + ", ".join(parts)
    [row] = await db.execute_query_dict(text, [v for s in statements for v in s.params])
    return [
        [dict(zip(_NAMES[s.sql], record, strict=True)) for record in row[f"r{index}"]]
        for index, s in enumerate(statements)
    ]
