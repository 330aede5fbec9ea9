"""A query's statements on one pooled connection (models/db.py `one_connection`).

asyncpg's pool costs about as much CPU to take a connection and give it back as a short
statement costs to send, and Tortoise takes one for every statement outside a
transaction. A query reads its statements one after the other (a planned document three
to five, schema/engine/planner.py), so `OneConnection`, an extension before the planner,
runs the execution of a query inside one `one_connection` block: the first statement
takes a connection, the others reuse it, the end of the execution gives it back.
Mutations and subscriptions are left as they were. On SQLite (one connection) nothing
changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from models.db import one_connection


class OneConnection(SchemaExtension):
    """A query's execution inside one `one_connection` block; see the module's docstring."""

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        if ec.graphql_document is None or ec.operation_type is not OperationType.QUERY:
            yield
            return
        async with one_connection():
            yield
