"""Private names of libraries that Passage uses anyway, because no public way exists.

Each library named here is pinned exactly in pyproject.toml; an upgrade that renames or
reshapes one of these fails this module loudly instead of breaking the product quietly.
Add a line here (and to docs/compat.md) whenever code reaches into a private name, an
undocumented attribute, or overrides a method a library does not document as an extension
point.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect
import re
import sys
from enum import Enum
from typing import Any

import broadcaster
import pytest
import strawberry
from graphql import GraphQLObjectType, GraphQLScalarType, GraphQLSchema, parse
from graphql.execution.collect_fields import CollectedFields, FieldDetails
from graphql.execution.executor import Executor
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    StreamResultContextManager,
    ValidationContextManager,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.http.async_base_view import AsyncBaseHTTPView
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types.arguments import convert_argument, convert_arguments
from strawberry.types.execution import ExecutionContext
from strawberry.types.field import StrawberryField
from strawberry.types.private import is_private
from tortoise import Tortoise
from tortoise.models import Model
from tortoise.queryset import AwaitableQuery, ValuesQuery
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from models.billing.invoices import Invoice
from models.notifications import OutboundMessage
from models.visits.visits import Intervention
from schema import schema
from schema.engine.runner import HookRunner

# The versions these checks were written against; pyproject.toml pins the same.
PINNED = {
    "graphql-core": "3.3.2",
    "strawberry-graphql": "0.341.2",
    "tortoise-orm": "1.1.9",
    "uvicorn": "0.54.0",
    "starlette": "1.10.0",
    "broadcaster": "0.3.1",
    "asyncpg": "0.32.0",
}


def _parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


@pytest.mark.parametrize(("distribution", "version"), sorted(PINNED.items()))
def test_the_libraries_reached_into_are_the_pinned_versions(distribution, version):
    # An upgrade is deliberate: re-read every check below, then move the pin and this line.
    assert importlib.metadata.version(distribution) == version


# --------------------------------------------------------------------------- graphql-core


def test_tortoise_reads_an_enum_column_by_calling_its_enum_type():
    # resolvers/core/prepared.py `_member_of` looks the value up in the members of the
    # field's `enum_type`, which is what Tortoise's `to_python_value` calls.
    from tortoise.fields.data import CharEnumFieldInstance

    source = inspect.getsource(CharEnumFieldInstance.to_python_value)
    assert "self.enum_type(value)" in source
    field = Intervention._meta.fields_map["status"]
    assert isinstance(field, CharEnumFieldInstance) and issubclass(field.enum_type, Enum)


def test_strawberry_writes_datetimes_and_dates_with_its_isoformat():
    # schema/engine/codegen.py `completed` writes a row's datetime or date inline with
    # `isoformat()` when the scalar's serializer is strawberry's `isoformat`.
    from strawberry.schema.types.base_scalars import isoformat

    for name in ("DateTime", "Date"):
        scalar = schema._schema.get_type(name)
        assert isinstance(scalar, GraphQLScalarType) and scalar.serialize is isoformat, name


def test_graphql_core_executor_execute_field_signature():
    # schema/engine/execution.py overrides `execute_field` (the fast completion pass) and
    # calls it back with the same arguments.
    assert _parameters(Executor.execute_field) == [
        "self",
        "parent_type",
        "source",
        "field_details_list",
        "path",
        "position_context",
    ]
    assert issubclass(StrawberryGraphQLCoreExecutionContext, Executor)


def test_graphql_core_hands_a_resolvers_awaitable_to_complete_awaitable_value():
    # schema/engine/execution.py overrides `complete_awaitable_value` to keep the resolver's
    # coroutine (`result`) until the response, and closes it there if it never started.
    assert _parameters(Executor.complete_awaitable_value) == [
        "self",
        "return_type",
        "field_details_list",
        "info",
        "path",
        "result",
        "position_context",
    ]
    source = inspect.getsource(Executor.execute_field)
    assert "result = resolve_fn(source, info, **args)" in source
    assert "return self.complete_awaitable_value(" in source
    assert inspect.iscoroutinefunction(Executor.complete_awaitable_value)


def test_graphql_core_executor_state_the_fast_path_reads_and_resets():
    # schema/engine/execution.py: `_relevant_sub_fields` (a dict) and `_stream_usages`
    # (rebuilt with its own type) are reset on each per-event copy and after a response,
    # `async_helpers` is deleted to break a reference cycle, `background_futures` and
    # `pending_incremental_futures` say whether anything still runs, `middleware_manager`
    # whether the fast pass may run at all, and `collect_subfields` (":meta private:")
    # groups a selection.
    executor = StrawberryGraphQLCoreExecutionContext.build(schema._schema, parse("{ __typename }"))
    assert isinstance(executor, Executor)
    assert isinstance(executor._relevant_sub_fields, dict)
    assert callable(type(executor._stream_usages))
    assert hasattr(executor, "async_helpers")
    assert isinstance(executor.background_futures, set)
    assert isinstance(executor.pending_incremental_futures, set)
    assert hasattr(executor, "middleware_manager")
    assert callable(executor.is_awaitable)
    assert hasattr(executor, "fragment_definitions")
    assert _parameters(Executor.collect_subfields) == [
        "self",
        "return_type",
        "field_details_list",
    ]
    assert _parameters(Executor.build_per_event_executor) == ["self", "payload"]
    assert _parameters(Executor.build_response) == ["self", "data"]
    assert "hide_suggestions" in _parameters(Executor.build)  # schema/__init__.py


def test_graphql_core_collected_fields_and_field_details_shapes():
    # schema/engine/execution.py unpacks `collect_subfields` into three and keys completers
    # by each group's `node`, `defer_usage` and `fragment_variable_values`.
    assert CollectedFields._fields == (
        "grouped_field_set",
        "new_defer_usages",
        "forbidden_directive_instances",
    )
    assert FieldDetails._fields == ("node", "defer_usage", "fragment_variable_values")


# ------------------------------------------------------------------------------ strawberry


def test_strawberry_schema_exposes_its_graphql_core_schema() -> None:
    # schema/engine/planner.py, schema/engine/limits.py, schema/engine/persisted.py,
    # cli.py and the attack suite walk graphql-core's schema.
    assert isinstance(schema._schema, GraphQLSchema)
    assert schema._schema.query_type is not None


def test_strawberry_pre_execution_errors():
    # schema/engine/limits.py, throttle.py, persisted.py and schema/partners/access.py refuse
    # a document by setting `pre_execution_errors` in `on_validate`: strawberry then skips
    # its own validation and answers with those errors.
    field = ExecutionContext.__dataclass_fields__["pre_execution_errors"]
    assert field.default is None
    source = inspect.getsource(sys.modules[StrawberryGraphQLCoreExecutionContext.__module__])
    assert "execution_context.pre_execution_errors is None" in source


def test_strawberry_uses_a_result_an_extension_set_and_the_document_it_left():
    # schema/engine/planner.py (PlannedQueries, the schema's last extension) sets
    # `execution_context.result` in `on_execute` (strawberry's documented way for a cache
    # extension) or, for a document planned in part, swaps `graphql_document` for the rest
    # and merges the planned roots into the result's data after execution, before the
    # steps listed before it (the cost throttle) leave their `on_execute`.
    source = inspect.getsource(strawberry.Schema._execute_operation)
    executing = source.index("extensions_runner.executing()")
    assert source.index("if not execution_context.result", executing) > executing
    assert source.index("execution_context.graphql_document,", executing) > executing


def test_strawberry_runs_the_extensions_through_the_runner_the_schema_creates():
    # schema/engine/runner.py: PassageSchema.create_extensions_runner returns HookRunner,
    # a SchemaExtensionsRunner whose stages are ours. Every runner strawberry uses comes
    # from that method, and it calls no stage HookRunner does not answer: a new stage in an
    # upgrade fails here rather than running strawberry's own code for it unseen.
    source = inspect.getsource(strawberry.Schema)
    assert "SchemaExtensionsRunner(" not in source.replace(
        inspect.getsource(strawberry.Schema.create_extensions_runner), ""
    )
    assert source.count("self.create_extensions_runner(") >= 3  # execute, sync, stream
    called = set(re.findall(r"extensions_runner\.(\w+)\(", source))
    assert called == {
        "operation",
        "parsing",
        "validation",
        "executing",
        "on_stream_result",
        "get_extensions_results",
        "get_extensions_results_sync",
    }
    for stage in called - {"get_extensions_results_sync"}:
        assert stage in HookRunner.__dict__
    # HookRunner asks only the classes that override `get_results`: the base one reports
    # nothing.
    assert SchemaExtension(execution_context=None).get_results() == {}  # type: ignore[arg-type]
    assert inspect.signature(SchemaExtensionsRunner.__init__).parameters.keys() == {
        "self",
        "execution_context",
        "extensions",
    }
    for manager in (OperationContextManager, ParsingContextManager, ValidationContextManager):
        assert issubclass(manager, ExtensionContextManagerBase)
    assert issubclass(ExecutingContextManager, ExtensionContextManagerBase)
    assert issubclass(StreamResultContextManager, ExtensionContextManagerBase)


def test_strawberry_converts_arguments_as_its_resolvers_receive_them():
    # schema/engine/arguments.py converts a planned root's arguments as strawberry does
    # before calling a resolver (neither function is in the module's documented API): it
    # hands the types it does not build itself to `convert_argument`, and
    # tests/engine/test_arguments.py compares it with `convert_arguments`.
    assert _parameters(convert_arguments) == [
        "value",
        "arguments",
        "scalar_registry",
        "config",
        "info",
    ]
    assert _parameters(convert_argument) == [
        "value",
        "type_",
        "scalar_registry",
        "config",
        "info",
        "path",
    ]


def test_strawberry_tells_a_private_attribute_from_a_field():
    # schema/engine/rows.py leaves `strawberry.Private` attributes out of a row type's
    # fields with `strawberry.types.private.is_private` (not in the documented API): they
    # stay in a type's definition until the schema converts it.
    from schema.accounts.accounts import Account

    assert _parameters(is_private) == ["type_"]
    assert is_private(strawberry.Private[int]) and not is_private(int)
    definition = Account.__strawberry_definition__  # type: ignore[attr-defined]
    fields = {f.python_name: f for f in definition.fields}
    assert is_private(fields["_client_id"].type) and not is_private(fields["email"].type)


def test_strawberry_default_resolver_marker_and_field_definition():
    # schema/engine/execution.py reads a plain attribute only for strawberry's own resolver
    # of a basic field: `is_default_resolver` (which reads the private `_is_default`),
    # the definition under `DEFINITION_BACKREF`, `is_basic_field` and `default_resolver`.
    assert _parameters(is_default_resolver) == ["func"]
    assert GraphQLCoreConverter.DEFINITION_BACKREF == "strawberry-definition"
    assert isinstance(inspect.getattr_static(StrawberryField, "is_basic_field"), property)
    assert StrawberryField.default_resolver is getattr  # type: ignore[comparison-overlap]
    agency = schema._schema.type_map["Agency"]
    assert isinstance(agency, GraphQLObjectType)
    field = agency.fields["name"]
    assert field.resolve is not None
    assert is_default_resolver(field.resolve)
    definition = field.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    assert isinstance(definition, StrawberryField) and definition.is_basic_field


def test_strawberry_is_type_of_is_recognised_by_its_qualified_name():
    # schema/engine/execution.py trusts strawberry's generated `is_type_of` (an isinstance
    # check that never reads `info`) by its `__qualname__`.
    agency = schema._schema.type_map["Agency"]
    assert isinstance(agency, GraphQLObjectType)
    is_type_of = agency.is_type_of
    assert is_type_of is not None
    assert is_type_of.__qualname__.endswith("_get_is_type_of.<locals>.is_type_of")


def test_strawberry_transport_ws_handler_hooks():
    # web/graphql.py: the graphql-transport-ws handler is subclassed; its
    # `connection_init_timeout_task` is dropped once cancelled (a task per idle socket), and
    # `handle_message`, `handle_invalid_message`, `handle_connection_init` and `shutdown`
    # are overridden or called.
    source = inspect.getsource(BaseGraphQLTransportWSHandler.__init__)
    assert "self.connection_init_timeout_task" in source
    handle_init = inspect.getsource(BaseGraphQLTransportWSHandler.handle_connection_init)
    assert "connection_init_timeout_task.cancel()" in handle_init
    for name in ("handle_message", "handle_invalid_message", "shutdown"):
        assert asyncio.iscoroutinefunction(getattr(BaseGraphQLTransportWSHandler, name))
    assert _parameters(BaseGraphQLTransportWSHandler.handle_connection_init) == [
        "self",
        "message",
    ]


def test_strawberry_asgi_view_extension_points():
    # web/graphql.py sets `graphql_transport_ws_handler_class` and `websocket_adapter_class`,
    # overrides `execute_single` and the adapter's `send_json`, and writes to `adapter.ws`.
    view_source = inspect.getsource(AsyncBaseHTTPView)
    assert "self.graphql_transport_ws_handler_class(" in view_source
    assert "self.websocket_adapter_class(" in view_source
    assert vars(GraphQL)["websocket_adapter_class"] is ASGIWebSocketAdapter
    assert _parameters(GraphQL.execute_single) == [
        "self",
        "request",
        "request_adapter",
        "sub_response",
        "context",
        "root_value",
        "request_data",
    ]
    assert "self.ws" in inspect.getsource(ASGIWebSocketAdapter)
    assert _parameters(ASGIWebSocketAdapter.send_json) == ["self", "message"]


# -------------------------------------------------------------------------------- Tortoise


def test_tortoise_model_meta_names() -> None:
    # `_meta.db` (raw SQL: notifications/mailer.py, resolvers/billing/urssaf/,
    # resolvers/partners/webhook_delivery.py, services/buckets.py, resolvers/core/prepared.py),
    # `_meta.fields_db_projection` (resolvers/visits/attendance.py, resolvers/core/prepared.py),
    # `_meta.db_table` and `_meta.fields_map` (the erasure test's scan of every text column;
    # prepared.py tells a model's fields from a query's annotations).
    for model in (Invoice, OutboundMessage):
        meta = model._meta
        assert isinstance(meta.db_table, str) and meta.db_table
        assert "id" in meta.fields_map
        assert isinstance(meta.fields_db_projection, dict)
    assert isinstance(inspect.getattr_static(type(Invoice._meta), "db"), property)


def test_tortoise_instance_state_set_as_init_from_db_sets_it():
    # resolvers/core/prepared.py `loaded` builds a model from a converted row as Tortoise
    # builds a query's instances: these state attributes, then one attribute per field,
    # and nothing else; `_saved_in_db` makes `save()` update instead of inserting.
    visit = Intervention()
    assert visit._saved_in_db is False
    source = inspect.getsource(Model._init_from_db)
    for line in (
        "self = cls.__new__(cls)",
        "self._partial = False",
        "self._saved_in_db = True",
        "self._custom_generated_pk = self._meta.db_pk_column not in self._meta.generated_db_fields",
        "self._await_when_save = {}",
    ):
        assert line in source, line
    state = {"_partial", "_saved_in_db", "_custom_generated_pk", "_await_when_save"}
    assert set(Model.__init__.__code__.co_names) >= state


def test_tortoise_instances_keep_their_fields_in_their_dict():
    # resolvers/core/prepared.py `loaded` writes a row's values into the instance's
    # `__dict__` (what `object.__setattr__` does for a name that is no data descriptor of
    # the class): models have no `__slots__`, and a field is a plain attribute.
    visit = Intervention()
    assert not any("__slots__" in vars(cls) for cls in type(visit).__mro__ if cls is not object)
    vars(visit)["worker_id"] = 7
    assert visit.worker_id == 7


async def test_tortoise_writes_a_query_s_own_table_unaliased(server):
    # resolvers/requests/rule_context.py `next_busy_column`: a raw correlated column of the
    # pending page names the page's rows by their table, "change_request", as Tortoise
    # writes the table a query is on (its joins are aliased, the table itself is not).
    from tortoise.expressions import RawSQL

    from models.requests import ChangeRequest

    query = ChangeRequest.filter(agency_id=1).annotate(x=RawSQL('"change_request"."id"'))
    sql = query.values("id", "intervention__worker_id", "x").sql()
    assert 'FROM "change_request" ' in sql and '"change_request"."id"' in sql


async def test_tortoise_resolves_a_case_given_to_a_function(server):
    # resolvers/help/articles.py `_ranking`: a word's mark is `Length(Case(...))`, and the
    # marks are added up; `Function.__init__`'s annotation does not name an expression.
    from tortoise.expressions import Case, CombinedExpression, Connector, Q, When
    from tortoise.functions import Length

    from models.help import HelpArticle

    def mark(word: str) -> Length:
        return Length(Case(When(Q(title_search__contains=word), then="1"), default=""))  # type: ignore[arg-type]

    total = CombinedExpression(mark("a"), Connector.add, mark("b"))
    sql = HelpArticle.all().annotate(found=total).order_by("-found").values("id").sql()
    assert sql.count("LENGTH(CASE WHEN") == 2
    assert ")+LENGTH(" in sql


def test_tortoise_values_query_public_parts_we_rely_on():
    # resolvers/core/prepared.py: `sql()` picks the connection and builds `query`, whose
    # parameterised SQL is then read; `resolve_to_python_value` gives each column's converter.
    source = inspect.getsource(AwaitableQuery.sql)
    assert issubclass(ValuesQuery, AwaitableQuery)
    assert "self._make_query()" in source
    assert _parameters(ValuesQuery.resolve_to_python_value) == ["self", "model", "field"]


def test_tortoise_global_fallback_and_migrate_api():
    # models/db.py: `Tortoise.init(_enable_global_fallback=True)` (without it, requests hang
    # with "No TortoiseContext is currently active") and `tortoise.migrations.api.migrate`.
    assert "_enable_global_fallback" in _parameters(Tortoise.init)
    from tortoise.migrations.api.migrate import migrate

    assert asyncio.iscoroutinefunction(migrate)


def test_tortoise_hands_unknown_credentials_to_asyncpgs_pool():
    # models/db.py: the pool's `reset` hook (asyncpg's public create_pool(reset=...)) travels
    # in the connection's credentials; Tortoise passes what it does not know to create_pool.
    # subscriptions/events.py keeps the transactions holding the order lock by their client,
    # a TransactionalDBClient made per transaction.
    import asyncpg
    from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
    from tortoise.backends.base.client import TransactionalDBClient

    assert "**self.extra" in inspect.getsource(AsyncpgDBClient.create_connection)
    # The URL is turned into that configuration by Tortoise's own parser.
    from tortoise.backends.base.config_generator import expand_db_url

    expanded = expand_db_url("postgres://root@127.0.0.1:5432/test?maxsize=20")
    assert expanded["engine"] == "tortoise.backends.asyncpg"
    assert expanded["credentials"]["maxsize"] == "20"
    assert "reset" in _parameters(asyncpg.create_pool)
    assert issubclass(TransactionWrapper, TransactionalDBClient)
    assert "TransactionWrapper(self)" in inspect.getsource(AsyncpgDBClient._in_transaction)


def test_tortoise_transaction_openings_we_replace():
    # models/backends/: our clients open a transaction as Tortoise's own contexts do (same
    # steps, same attributes), and give back the lock or pool connection when it fails.
    # An upgrade that changes those steps must be read again, and may make ours needless.
    from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
    from tortoise.backends.base.client import TransactionContextPooled
    from tortoise.backends.sqlite.client import (
        SqliteClient,
        SqliteTransactionContext,
        SqliteTransactionWrapper,
    )
    from tortoise.connection import ConnectionHandler, get_connections

    sqlite_opening = inspect.getsource(SqliteTransactionContext.__aenter__)
    for step in (
        "await self._trxlock.acquire()",
        "await self.ensure_connection()",
        "self.token = get_connections().set(self.connection_name, self.connection)",
        "await self.connection.begin()",
    ):
        assert step in sqlite_opening
    assert "self._trxlock.release()" in inspect.getsource(SqliteTransactionContext.__aexit__)
    assert "SqliteTransactionContext(SqliteTransactionWrapper(self), self._lock)" in (
        inspect.getsource(SqliteClient._in_transaction)
    )
    assert "self._connection" in inspect.getsource(SqliteTransactionWrapper.__init__)
    pooled_opening = inspect.getsource(TransactionContextPooled.__aenter__)
    for step in (
        "await self.ensure_connection()",
        "self.client._connection = await self.client._parent._pool.acquire()",
        "self.token = get_connections().set(self.connection_name, self.client)",
        "await self.client.begin()",
    ):
        assert step in pooled_opening
    assert "TransactionContextPooled(TransactionWrapper(self), self._pool_init_lock)" in (
        inspect.getsource(AsyncpgDBClient._in_transaction)
    )
    assert "self.transaction = self._connection.transaction()" in (
        inspect.getsource(TransactionWrapper.begin)
    )
    assert callable(get_connections)
    assert _parameters(ConnectionHandler.set) == ["self", "conn_alias", "conn_obj"]
    assert _parameters(ConnectionHandler.reset) == ["self", "token"]


def test_tortoise_sends_a_statement_outside_a_transaction_through_acquire_connection():
    # models/backends/asyncpg.py `Client.acquire_connection` lends the connection a
    # `one_connection` block holds: Tortoise's asyncpg client takes the connection of
    # every statement outside a transaction from that method (an async context manager
    # giving an asyncpg connection), and its pool wrapper opens the pool on first use.
    from tortoise.backends.asyncpg.client import AsyncpgDBClient
    from tortoise.backends.base.client import PoolConnectionWrapper

    for method in ("execute_query", "execute_query_dict", "execute_insert", "execute_many"):
        source = inspect.getsource(getattr(AsyncpgDBClient, method))
        assert "async with self.acquire_connection() as connection:" in source, method
    assert "PoolConnectionWrapper(self, self._pool_init_lock)" in inspect.getsource(
        AsyncpgDBClient.acquire_connection
    )
    assert "self.client.create_connection(with_db=True)" in inspect.getsource(
        PoolConnectionWrapper.ensure_connection
    )
    assert "_pool" in inspect.getsource(AsyncpgDBClient.create_connection)


def test_tortoises_pool_wrapper_takes_and_gives_back_its_connection_attribute():
    # models/backends/asyncpg.py `_Borrowed`: Tortoise's wrapper for a statement outside a
    # transaction, handed a kept connection instead of the pool's (its `connection`, which
    # its exit gives back to the pool), and a quarter of the pool's size kept at most (the
    # client's `pool_maxsize`, the URL's `maxsize`).
    from tortoise.backends.base.client import PoolConnectionWrapper
    from tortoise.backends.base_postgres.client import BasePostgresClient

    assert "connection" in PoolConnectionWrapper.__slots__
    assert "self.connection = await self.client._pool.acquire()" in inspect.getsource(
        PoolConnectionWrapper.__aenter__
    )
    assert "self.client._pool.release(self.connection)" in inspect.getsource(
        PoolConnectionWrapper.__aexit__
    )
    assert 'self.pool_maxsize = int(self.extra.pop("maxsize", 5))' in inspect.getsource(
        BasePostgresClient.__init__
    )


def test_asyncpg_pool_gives_back_a_released_connection_quietly():
    # models/backends/asyncpg.py `_lost` and `_give_back`: a connection the server ended
    # is taken back by the pool as it closes; afterwards its proxy refuses every method
    # with InterfaceError (how `_lost` tells it), and giving it back again does nothing.
    from asyncpg.pool import Pool, PoolConnectionProxyMeta

    release = inspect.getsource(Pool.release)
    assert "if connection._con is None:" in release
    assert (
        release.index("if connection._con is None:")
        < release.index("return", release.index("if connection._con is None:"))
        < release.index("self._check_init()")
    )
    proxy = inspect.getsource(PoolConnectionProxyMeta)
    assert "exceptions.InterfaceError(" in proxy
    assert "connection has been released back to the pool" in proxy


def test_tortoise_transaction_endings_we_replace():
    # models/backends/asyncpg.py `Transaction`: begins, commits and rolls back with plain
    # statements instead of asyncpg's Transaction object, so a commit can carry statements
    # of its own. Tortoise's contexts end a block by the client's `_finalized` flag and its
    # commit / rollback / savepoint methods; a nested block's client is made from the
    # outer one (whose `_connection` it shares) and is not set as the current connection.
    from tortoise.backends.asyncpg.client import TransactionWrapper
    from tortoise.backends.base.client import NestedTransactionContext, TransactionContextPooled
    from tortoise.backends.base_postgres.client import BasePostgresClient

    wrapper_init = inspect.getsource(TransactionWrapper.__init__)
    for attribute in ("self._connection =", "self._lock =", "self._finalized =", "self._parent"):
        assert attribute in wrapper_init
    ending = inspect.getsource(TransactionContextPooled.__aexit__)
    for step in ("self.client._finalized", "self.client.rollback()", "self.client.commit()"):
        assert step in ending
    nested = inspect.getsource(NestedTransactionContext)
    for step in (
        "self.client.savepoint()",
        "self.client._finalized",
        "self.client.savepoint_rollback()",
        "self.client.release_savepoint()",
    ):
        assert step in nested
    assert "get_connections().set" not in nested
    # A script without parameters goes to asyncpg's execute: the simple query protocol,
    # where one string may hold several statements.
    assert "await connection.execute(query)" in inspect.getsource(BasePostgresClient.execute_script)


def test_tortoise_sqlite_client_calls_on_its_connection_only_what_ours_has():
    # models/backends/sqlite.py `InLoopConnection` stands in for aiosqlite's connection in
    # Tortoise's SQLite client (`_connection`, made in `create_connection`, whose steps we
    # repeat). Every method or attribute Tortoise's client, its transaction and its regexp
    # functions use on that connection must be one ours has, and behave as aiosqlite's.
    import re

    from tortoise.backends.sqlite import client
    from tortoise.contrib.sqlite import regex

    from models.backends.sqlite import InLoopConnection

    # The methods that run statements (the `__init__`s take a client named `connection`).
    methods = [
        function
        for owner in (client.SqliteClient, client.SqliteTransactionWrapper)
        for name, function in vars(owner).items()
        if inspect.isfunction(function) and name != "__init__"
    ]
    source = "".join(map(inspect.getsource, methods)) + inspect.getsource(regex)
    # `connection` is the database connection where Tortoise names it so; `self.connection`
    # is a transaction's client.
    used = set(re.findall(r"(?<!self\.)\bconnection\.(\w+)", source))
    used |= set(re.findall(r"self\._connection\.(\w+)", source))
    assert used, "no call found: Tortoise's client was reshaped"
    assert used <= set(dir(InLoopConnection)) | {"_conn"}, used - set(dir(InLoopConnection))
    assert "aiosqlite.connect(self.filename, isolation_level=None)" in inspect.getsource(
        client.SqliteClient.create_connection
    )
    assert "self._connection._conn.row_factory = sqlite3.Row" in inspect.getsource(
        client.SqliteClient.create_connection
    )
    assert "await self._post_connect()" in inspect.getsource(client.SqliteClient.create_connection)
    for name in ("filename", "pragmas"):
        assert f"self.{name} =" in inspect.getsource(client.SqliteClient.__init__)


# --------------------------------------------------------------------------------- uvicorn


def test_uvicorn_websocket_protocol_queue_and_handshake_attributes():
    # web/ws_protocol.py replaces the protocol's `queue` (an asyncio.Queue) by a lighter
    # inbox that implements only `put_nowait`, `get` and `empty`, and drops `request` and
    # `response` in `start_keepalive`, once the handshake is written.
    source = inspect.getsource(WebSocketsSansIOProtocol)
    assert "self.queue: asyncio.Queue" in source
    used = set(re.findall(r"self\.queue\.(\w+)", source))
    assert used <= {"put_nowait", "get", "empty"}, used
    assert "self.response = self.conn.accept(" in source
    assert _parameters(WebSocketsSansIOProtocol.start_keepalive) == ["self"]
    # ... and its flow-control `writable` (an asyncio.Event) by a gate with only `set`,
    # `clear` and `wait`.
    assert "self.writable = asyncio.Event()" in source
    used = set(re.findall(r"self\.writable\.(\w+)", source))
    assert used <= {"set", "clear", "wait"}, used


def test_uvicorn_http_protocol_writes_through_its_transport():
    # web/http_protocol.py hands uvicorn's httptools protocol a transport that joins the
    # writes of one turn of the event loop, in `connection_made`, and gives a websocket
    # the raw one back in `handle_websocket_upgrade`, before uvicorn hands it over.
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

    assert _parameters(HttpToolsProtocol.connection_made) == ["self", "transport"]
    assert _parameters(HttpToolsProtocol.handle_websocket_upgrade) == ["self"]
    made = inspect.getsource(HttpToolsProtocol.connection_made)
    assert "self.transport = transport" in made
    assert "self.flow = FlowControl(transport)" in made
    upgrade = inspect.getsource(HttpToolsProtocol.handle_websocket_upgrade)
    assert "protocol.connection_made(self.transport)" in upgrade
    # Every response write goes through the protocol's transport, handed to the cycle.
    assert "self.loop = _loop or asyncio.get_event_loop()" in inspect.getsource(
        HttpToolsProtocol.__init__
    )
    assert "transport=self.transport" in inspect.getsource(HttpToolsProtocol.on_headers_complete)
    assert "self.transport.write(" in inspect.getsource(RequestResponseCycle.send)


# ------------------------------------------------------------------------------- starlette


def test_a_starlette_response_is_its_status_background_body_and_raw_headers():
    # web/graphql.py `SubResponse`: an empty Response without the constructor, whose
    # `headers` read and write the raw list; what strawberry's own sub-response is.
    from starlette.responses import Response
    from strawberry.asgi import GraphQL

    from web.graphql import SubResponse

    made = inspect.getsource(Response.__init__)
    for attribute in ("self.status_code =", "self.background =", "self.body ="):
        assert attribute in made, attribute
    assert "self.raw_headers =" in inspect.getsource(Response.init_headers)
    assert "raw=self.raw_headers" in inspect.getsource(Response.headers.fget)  # type: ignore[attr-defined]
    theirs = inspect.getsource(GraphQL.get_sub_response)
    assert "sub_response.status_code = None" in theirs
    assert 'del sub_response.headers["content-length"]' in theirs
    ours = SubResponse()
    ours.headers["Retry-After"] = "3"
    assert ours.raw_headers == [(b"retry-after", b"3")]
    assert ours.status_code is None


async def test_starlette_cors_adds_its_headers_in_send():
    # web/gate.py asks Starlette's CORS middleware for the headers it would add to a
    # response, through the method its own middleware wraps `send` with (not documented).
    from starlette.datastructures import Headers
    from starlette.middleware.cors import CORSMiddleware

    assert _parameters(CORSMiddleware.send) == ["self", "message", "send", "request_headers"]
    cors = CORSMiddleware(None, allow_origins=["https://a.example"], expose_headers=["x-id"])  # type: ignore[arg-type]
    sent: list[Any] = []

    async def keep(message: Any) -> None:
        sent.append(message)

    start = {"type": "http.response.start", "status": 200, "headers": []}
    request = Headers(raw=[(b"origin", b"https://a.example")])
    await cors.send(start, send=keep, request_headers=request)
    assert sent[0]["headers"] == [
        (b"access-control-expose-headers", b"x-id"),
        (b"access-control-allow-origin", b"https://a.example"),
        (b"vary", b"Origin"),
    ]


# ----------------------------------------------------------------------------- broadcaster


def test_broadcaster_subscriber_queue():
    # subscriptions/bus.py drains `subscriber._queue` to hand the hub every message that has
    # arrived at once; `None` on it means unsubscribed.
    from broadcaster._base import Subscriber

    queue: asyncio.Queue[Any] = asyncio.Queue()
    assert Subscriber(queue)._queue is queue
    assert "if item is None" in inspect.getsource(Subscriber.get)
    # subscriptions/supervised_redis.py subclasses the public backend base.
    assert {"BroadcastBackend", "Event"} <= set(broadcaster.__all__)


# --------------------------------------------------------------------------------- CPython


def test_cpython_current_frames() -> None:
    # tests/hangs.py prints every thread's stack when a test hangs.
    frames = sys._current_frames()
    assert isinstance(frames, dict) and frames
