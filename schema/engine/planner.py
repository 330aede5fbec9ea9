"""Planned queries: a root field answered from one SQL statement, straight to JSON.

graphql-core answers a page of 50 visits field by field, through an object per row:
for the contract's Calendar that was most of the request, the SQL a small part. Here a
document whose one root field is registered (`plan_connection`, `plan_object`) and whose
whole selection is read from that field's rows (schema/engine/rows.py) skips graphql-core's
execution:

- once per document and operation name, it is parsed and held to the same limits and
  validation as any request (schema/engine/limits.py); its fields are collected, and the
  columns it needs and a function from a row to its JSON are compiled;
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
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
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
from schema.engine.rows import Collect, Fields, Row, RowType
from schema.engine.throttle import Throttle, actual_cost, cost_report

log = logging.getLogger("passage.planner")

PLAN_CACHE_SIZE = 512
# Selections one planned document may hold, fragments spread: a page of visits takes ~30.
MAX_SELECTIONS = 500
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


def _collect(
    selection_sets: list[SelectionSetNode | None],
    type_: GraphQLObjectType,
    fragments: dict[str, FragmentDefinitionNode],
) -> Fields | None:
    """The fields selected on `type_` by response name, or None for what is not planned:
    directives (their value may depend on variables) and fragments on another type."""
    fields: Fields = {}
    budget = [MAX_SELECTIONS]  # fragments spread in fragments could multiply without end

    def visit(selection_set: SelectionSetNode | None) -> bool:
        if selection_set is None:  # validation allows no cycle of fragments
            return False
        for selection in selection_set.selections:
            budget[0] -= 1
            if selection.directives or budget[0] < 0:
                return False
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                fields.setdefault(name, []).append(selection)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None or fragment.directives:
                    return False
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                return False
            if condition is not None and condition.name.value != type_.name:
                return False
            if not visit(inner):
                return False
        return True

    if not all(visit(s) for s in selection_sets):
        return None
    return fields


def _named_object(type_: Any) -> GraphQLObjectType | None:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return inner if isinstance(inner, GraphQLObjectType) else None


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
        roots = _collect([operation.selection_set], query_type, fragments)
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
            return _collect([n.selection_set for n in of], type_, fragments)

        target = _named_object(field.type)
        selected = None if target is None else collect(target, nodes)
        if target is None or selected is None:
            return None
        compiled: tuple[frozenset[str], Callable[[Any], Any]] | None
        if root.page is not None:
            compiled = _connection(target, selected, root.rows, collect)
        else:
            rows_of = root.rows.compile(target, selected, collect)
            compiled = None if rows_of is None else (rows_of.columns, rows_of.write)
            if compiled is not None and target.name != _type_name(root.rows):
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


def _type_name(rows: RowType[Any]) -> str:
    return str(rows.cls.__strawberry_definition__.name)  # type: ignore[attr-defined]


_PAGE_INFO: dict[str, Callable[[Page, list[str]], Any]] = {
    "hasNextPage": lambda page, cursors: len(page.rows) > page.size,
    "hasPreviousPage": lambda page, cursors: page.has_previous,
    "startCursor": lambda page, cursors: cursors[0] if cursors else None,
    "endCursor": lambda page, cursors: cursors[-1] if cursors else None,
}


def _connection(
    type_: GraphQLObjectType,
    fields: Fields,
    rows: RowType[Any],
    collect: Collect,
) -> tuple[frozenset[str], Callable[[Page], dict[str, Any]]] | None:
    """The writer of a connection page (schema/core/common.py `connection`): edges with their
    cursor and node, page info, type names."""
    parts: list[tuple[str, str, Any]] = []
    columns: frozenset[str] = frozenset()
    for response_name, nodes in fields.items():
        name = nodes[0].name.value
        if name == "__typename":
            parts.append((response_name, "value", type_.name))
            continue
        field = type_.fields.get(name)
        target = None if field is None else _named_object(_list_item(field.type))
        sub = None if target is None else collect(target, nodes)
        if target is None or sub is None:
            return None
        if name == "edges":
            edge = _edge(target, sub, rows, collect)
            if edge is None:
                return None
            columns |= edge[0]
            parts.append((response_name, "edges", edge[1]))
        elif name == "pageInfo" and all(
            n[0].name.value in _PAGE_INFO or n[0].name.value == "__typename" for n in sub.values()
        ):
            info = [(k, n[0].name.value, target.name) for k, n in sub.items()]
            parts.append((response_name, "pageInfo", info))
        else:
            return None

    def write(page: Page) -> dict[str, Any]:
        size = page.size
        cursors = page.cursors[:size]
        out: dict[str, Any] = {}
        for key, kind, how in parts:
            if kind == "edges":
                out[key] = list(map(how, page.rows[:size], cursors))
            elif kind == "pageInfo":
                out[key] = {
                    k: typename if name == "__typename" else _PAGE_INFO[name](page, cursors)
                    for k, name, typename in how
                }
            else:
                out[key] = how
        return out

    return columns, write


def _list_item(type_: Any) -> Any:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return inner.of_type if isinstance(inner, GraphQLList) else type_


def _edge(
    type_: GraphQLObjectType,
    fields: Fields,
    rows: RowType[Any],
    collect: Collect,
) -> tuple[frozenset[str], Callable[[Row, str], dict[str, Any]]] | None:
    parts: list[tuple[str, str, Any]] = []
    columns: frozenset[str] = frozenset()
    for response_name, nodes in fields.items():
        name = nodes[0].name.value
        if name == "__typename":
            parts.append((response_name, "value", type_.name))
        elif name == "cursor":
            parts.append((response_name, "cursor", None))
        elif name == "node":
            field = type_.fields["node"]
            target = _named_object(field.type)
            sub = None if target is None else collect(target, nodes)
            if target is None or sub is None or target.name != _type_name(rows):
                return None
            compiled = rows.compile(target, sub, collect)
            if compiled is None:
                return None
            columns |= compiled.columns
            parts.append((response_name, "node", compiled.write))
        else:
            return None
    kinds = [kind for _, kind, _ in parts]
    if kinds == ["cursor", "node"]:  # the usual edges, written out
        (cursor_key, _, _), (node_key, _, node) = parts
        return columns, lambda row, cursor: {cursor_key: cursor, node_key: node(row)}
    if kinds == ["node"]:
        ((node_key, _, node),) = parts
        return columns, lambda row, cursor: {node_key: node(row)}

    def edge(row: Row, cursor: str) -> dict[str, Any]:
        return {
            key: cursor if kind == "cursor" else how(row) if kind == "node" else how
            for key, kind, how in parts
        }

    return columns, edge
