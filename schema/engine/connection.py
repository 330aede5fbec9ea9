"""A query's statements on one pooled connection (models/db.py `one_connection`).

asyncpg's pool costs about as much CPU to take a connection and give it back as a short
statement costs to send, and Tortoise takes one for every statement outside a
transaction. A query reads its statements one after the other (a planned document three
to five, schema/engine/planner.py), so `OneConnection`, an extension before the planner,
runs the execution of a query inside one `one_connection` block: the first statement
takes a connection, the others reuse it, the end of the execution gives it back.
Mutations and subscriptions are left as they were. On SQLite (one connection) nothing
changes.

A first try (docs/benchmarks.md, the reads' fifth round) was set aside: documents of one
or two statements paid for it. Here nothing is taken before the first statement, and the
connection goes back with asyncpg's own release: a document of one statement costs what
it did, and one of four (the pending requests) 9 % less CPU.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import OperationType
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from resolvers.core.prepared import one_connection
from schema.engine.walker import chosen_operation


class OneConnection(SchemaExtension):
    """A query's execution inside one `one_connection` block; see the module's docstring."""

    async def on_execute(self) -> AsyncIterator[None]:
        if not _a_query(self.execution_context):
            yield
            return
        async with one_connection():
            yield


def _a_query(ec: ExecutionContext) -> bool:
    # The operation strawberry runs, found as the limits find it (not strawberry's
    # `operation_type`, which builds its enum on every request).
    document = ec.graphql_document
    operation = None if document is None else chosen_operation(document, ec.operation_name)
    return operation is not None and operation.operation is OperationType.QUERY
