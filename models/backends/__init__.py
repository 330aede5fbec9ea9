"""Tortoise's SQLite and asyncpg clients, with transactions that survive a cancellation.

Tortoise 1.1.9 opens a transaction in `__aenter__`: it takes the connection (SQLite: the
one connection's lock; PostgreSQL: a connection of the pool) and then awaits `BEGIN`. A
task cancelled during that await (a server stopping its loops, a websocket closing under
a mutation, a timeout) never reaches `__aexit__`: on SQLite the lock is never released
and every later statement of the process waits for it forever; on PostgreSQL the
connection never goes back to the pool, and after `maxsize` of them every request waits.

The clients here are Tortoise's own, configured as the connection's `engine`
(models/db.py); their transaction context gives back what it took when its opening fails
or is cancelled, then lets the error go on. tests/engine/test_transactions.py cancels an
opening at every step; tests/engine/test_compat.py checks the names reached into.

On SQLite, `BEGIN` no longer waits (its statements run on the event loop's thread,
models/backends/sqlite.py): an opening can only be cancelled while it waits for the lock,
which takes nothing. The guard stays, for a connection Tortoise opens with an await.
"""
