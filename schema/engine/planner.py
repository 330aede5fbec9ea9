"""Planned queries: a root field answered from one SQL statement, straight to JSON.

graphql-core answers a page of 50 visits field by field, through an object per row:
for the contract's Calendar that was most of the request, the SQL a small part. Here a
document whose one root field is registered (`plan_connection`, `plan_object`) and whose
whole selection is read from that field's rows (schema/engine/rows.py) skips graphql-core's
execution:

- once per document and operation name, it is parsed and held to the same limits and
  validation as any request (schema/engine/limits.py); its fields are collected, and the
  columns it needs and a function from a row to its JSON are compiled
  (schema/engine/writers.py);
- on each request, the variables are coerced and the root field's arguments converted
  as graphql-core and Strawberry do, the cost is estimated with the request's
  variables, the registered fetch reads the page with just those columns in one
  statement (resolvers/core/prepared.py), and the compiled function writes each row out.

Every other document takes graphql-core's path, and so does any request on which the
plan meets something it does not expect: variables or arguments refused, a cost over
the limit, an error from the fetch (no viewer, a bad cursor, a visit not found), a row
the compiled function gives up on. graphql-core then answers from the start, so errors,
their codes and paths are graphql-core's own. A fetch only reads: running it twice is
safe.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    specified_rules,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import ExecutionResult
from strawberry.types.arguments import convert_arguments

from schema.core.common import Page
from schema.engine.bounds import InputBounds, violations
from schema.engine.edge import variables_errors
from schema.engine.limits import Limits, chosen_operation
from schema.engine.rows import Fields, Row, RowType
from schema.engine.throttle import Throttle, actual_cost, cost_report
from schema.engine.writers import collect_fields, connection_writer, named_object, type_name

log = logging.getLogger("passage.planner")

PLAN_CACHE_SIZE = 512
FetchPage = Callable[..., Awaitable[Page]]  # (context, columns, **arguments)
FetchOne = Callable[..., Awaitable[Row | None]]  # None: not found (graphql-core says so)


@dataclass(frozen=True)
class _Root:
    rows: RowType[Any]
    page: FetchPage | None = None
    one: FetchOne | None = None


_ROOTS: dict[str, _Root] = {}


def plan_connection(field: str, rows: RowType[Any], fetch: FetchPage) -> None:
    """Root field `field` (its GraphQL name) is a connection of `rows`, read by `fetch`."""
    _ROOTS[field] = _Root(rows, page=fetch)


def plan_object(field: str, rows: RowType[Any], fetch: FetchOne) -> None:
    """Root field `field` is one object of `rows`, read by `fetch`."""
    _ROOTS[field] = _Root(rows, one=fetch)


@dataclass(frozen=True)
class _Plan:
    operation: OperationDefinitionNode
    document: DocumentNode
    response_name: str
    node: FieldNode
    field: GraphQLField
    arguments: Any  # the strawberry field's arguments
    root: _Root
    columns: tuple[str, ...]
    write: Callable[[Any], Any]


class Planner:
    """Answers planned documents for a schema; `answered` counts the requests it took."""

    def __init__(self, schema: Any, limits: Limits, throttle: Throttle | None = None) -> None:
        self.schema = schema  # the strawberry schema
        self.limits = limits
        self.throttle = throttle
        self.answered = 0
        self._plans: LRUCache[tuple[str, str | None], _Plan | None] = LRUCache(PLAN_CACHE_SIZE)

    async def execute(
        self, query: str, variables: Any, context: Any, operation_name: str | None
    ) -> ExecutionResult | None:
        """The answer to a planned document, or None: graphql-core answers."""
        plan = self._plan(query, operation_name)
        if plan is None or not (variables is None or isinstance(variables, dict)):
            return None
        try:
            result = await self._run(plan, variables or {}, context)
        except Exception:  # graphql-core runs it again, and reports
            return None
        if result is not None:
            self.answered += 1
        return result

    async def _run(
        self, plan: _Plan, variables: dict[str, Any], context: Any
    ) -> ExecutionResult | None:
        graphql_schema: GraphQLSchema = self.schema._schema
        coerced = get_variable_values(
            graphql_schema,
            plan.operation.variable_definitions or (),
            variables,
            hide_suggestions=self.limits.hide_suggestions,
        )
        if isinstance(coerced, list) or variables_errors(variables):
            return None
        cost = self.limits.cost(
            self.limits.walker(graphql_schema, plan.document, variables), plan.operation
        )
        if self.limits.cost_error(cost) is not None:
            return None
        ticket = None if self.throttle is None else await self.throttle.take(context, cost)
        if ticket is not None and not ticket.granted:
            return None  # graphql-core's path refuses it, with its code and status
        try:
            data = await self._fetch(plan, coerced, context)
        except Exception:
            if ticket is not None:
                await ticket.settle(0)  # graphql-core's path charges again
            raise
        if data is None:
            if ticket is not None:
                await ticket.settle(0)
            return None
        answer = {plan.response_name: data}
        actual = actual_cost(answer)
        if ticket is not None:
            await ticket.settle(actual)
        return ExecutionResult(
            data=answer,
            errors=None,
            extensions=cost_report(self.limits, cost, actual, ticket),
        )

    async def _fetch(self, plan: _Plan, coerced: Any, context: Any) -> Any:
        """The root field's JSON, or None when graphql-core must answer."""
        arguments = convert_arguments(
            get_argument_values(plan.field, plan.node, coerced),
            plan.arguments,
            scalar_registry=self.schema.schema_converter.scalar_registry,
            config=self.schema.config,
        )
        if violations(arguments, plan.arguments, self.schema.config):
            # Past what the columns hold: graphql-core refuses it (schema/engine/bounds.py).
            return None
        root = plan.root
        if root.page is not None:
            return plan.write(await root.page(context, plan.columns, **arguments))
        assert root.one is not None
        row = await root.one(context, plan.columns, **arguments)
        return None if row is None else plan.write(row)

    # ----------------------------------------------------------------- plans

    def _plan(self, query: str, operation_name: str | None) -> _Plan | None:
        key = (query, operation_name)
        if key in self._plans:
            return self._plans[key]
        try:
            plan = self._make(query, operation_name)
        except (GraphQLError, RecursionError):
            plan = None
        except Exception:  # a planner bug must never fail a request: graphql-core answers
            log.exception("planning failed")
            plan = None
        self._plans[key] = plan
        return plan

    def _make(self, query: str, operation_name: str | None) -> _Plan | None:
        document = self.limits.parse(query)
        graphql_schema: GraphQLSchema = self.schema._schema
        walker = self.limits.walker(graphql_schema, document, {})
        if self.limits.shape_errors(document, walker) or self.limits.validation_errors(
            graphql_schema, document, tuple(specified_rules)
        ):
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        operation = chosen_operation(document, operation_name)
        if (
            operation is None
            or (operation_name is None and len(operations) > 1)
            or operation.operation is not OperationType.QUERY
            or operation.directives
            or any(v.directives for v in operation.variable_definitions or ())
        ):
            return None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        query_type = graphql_schema.query_type
        assert query_type is not None
        roots = collect_fields([operation.selection_set], query_type, fragments)
        if roots is None or len(roots) != 1:
            return None
        ((response_name, nodes),) = roots.items()
        root = _ROOTS.get(nodes[0].name.value)
        field = query_type.fields.get(nodes[0].name.value)
        if root is None or field is None or len(nodes) != 1:
            return None
        definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if (
            definition is None
            or any(not isinstance(e, InputBounds) for e in definition.extensions)
            or definition.permission_classes
        ):
            return None

        def collect(type_: GraphQLObjectType, of: list[FieldNode]) -> Fields | None:
            return collect_fields([n.selection_set for n in of], type_, fragments)

        target = named_object(field.type)
        selected = None if target is None else collect(target, nodes)
        if target is None or selected is None:
            return None
        compiled: tuple[frozenset[str], Callable[[Any], Any]] | None
        if root.page is not None:
            compiled = connection_writer(target, selected, root.rows, collect)
        else:
            rows_of = root.rows.compile(target, selected, collect)
            compiled = None if rows_of is None else (rows_of.columns, rows_of.write)
            if compiled is not None and target.name != type_name(root.rows):
                compiled = None
        if compiled is None:
            return None
        columns, write = compiled
        return _Plan(
            operation=operation,
            document=document,
            response_name=response_name,
            node=nodes[0],
            field=field,
            arguments=definition.arguments,
            root=root,
            columns=tuple(sorted(columns)),
            write=write,
        )
