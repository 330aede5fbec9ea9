"""Private names of libraries that Passage uses anyway, because no public way exists.

Each library named here is pinned exactly in pyproject.toml; an upgrade that renames or
reshapes one of these fails this module loudly instead of breaking the product quietly.
Add a line here whenever code reaches into a private name.
"""

from __future__ import annotations

import sys

from graphql import GraphQLSchema

from models.billing.invoices import Invoice
from models.notifications import OutboundMessage
from schema import schema


def test_strawberry_schema_exposes_its_graphql_core_schema() -> None:
    # schema/engine/planner.py, schema/engine/limits.py and the attack suite walk
    # graphql-core's schema.
    assert isinstance(schema._schema, GraphQLSchema)
    assert schema._schema.query_type is not None


def test_tortoise_model_meta_names() -> None:
    # `_meta.db` (raw SQL of the claiming loops: notifications/mailer.py,
    # resolvers/billing/urssaf/),
    # `_meta.fields_db_projection` (resolvers/visits/attendance.py), `_meta.db_table` and
    # `_meta.fields_map` (the erasure test's scan of every text column).
    for model in (Invoice, OutboundMessage):
        meta = model._meta
        assert isinstance(meta.db_table, str) and meta.db_table
        assert "id" in meta.fields_map
        assert isinstance(meta.fields_db_projection, dict)
    assert hasattr(type(Invoice._meta), "db")


def test_cpython_current_frames() -> None:
    # tests/hangs.py prints every thread's stack when a test hangs.
    frames = sys._current_frames()
    assert isinstance(frames, dict) and frames
