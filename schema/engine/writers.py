"""What a planned document writes: its selection gathered per type, then a compiled writer
from rows to JSON for a connection page (edges, cursors, page info) or one object.

schema/engine/planner.py decides which documents are planned and runs them; each
writer here gives up (None) on anything it does not expect, and graphql-core answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    Visitor,
    is_abstract_type,
    visit,
)

from schema.core.common import Page
from schema.engine.row_fields import Load, Loaded, Row
from schema.engine.rows import Collect, Compiled, Fields, RowType, type_name
from schema.engine.throttle import FREE_KEYS

# Selections one planned document may hold, fragments spread: a page of visits takes ~30.
MAX_SELECTIONS = 500


def condition_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables `@include(if:)` and `@skip(if:)` read anywhere in `document`."""
    found: dict[str, None] = {}

    class Conditions(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    found[argument.value.name.value] = None

    visit(document, Conditions())
    return tuple(found)


def _included(node: Any, conditions: Mapping[str, bool]) -> bool | None:
    """Whether `@include`/`@skip` keep `node`; None for any other directive."""
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("include", "skip") or len(directive.arguments) != 1:
            return None
        value = directive.arguments[0].value
        if isinstance(value, BooleanValueNode):
            condition = value.value
        elif isinstance(value, VariableNode) and value.name.value in conditions:
            condition = conditions[value.name.value]
        else:
            return None
        if condition is (name == "skip"):
            return False
    return True


def collect_fields(
    selection_sets: list[SelectionSetNode | None],
    type_: GraphQLObjectType,
    fragments: dict[str, FragmentDefinitionNode],
    conditions: Mapping[str, bool] | None = None,
    schema: GraphQLSchema | None = None,
) -> Fields | None:
    """The fields selected on `type_` by response name, or None for what is not planned:
    directives other than `@include`/`@skip` (whose variables are in `conditions`) and,
    without `schema`, fragments on another type. With it, a fragment applies as
    graphql-core applies it: on `type_` itself or on an interface or union holding it;
    a fragment on another type is left out (`node(id:)`'s fragments, one per type)."""
    conditions = conditions or {}
    fields: Fields = {}
    budget = [MAX_SELECTIONS]  # fragments spread in fragments could multiply without end

    def walk(selection_set: SelectionSetNode | None) -> bool:
        if selection_set is None:  # validation allows no cycle of fragments
            return False
        for selection in selection_set.selections:
            budget[0] -= 1
            if budget[0] < 0:
                return False
            included = _included(selection, conditions)
            if included is None:
                return False
            if not included:
                continue
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                fields.setdefault(name, []).append(selection)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None or fragment.directives:
                    return False  # directives on a fragment definition are not @include
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                return False
            if condition is not None and condition.name.value != type_.name:
                if schema is None:
                    return False
                if not _applies(schema, condition.name.value, type_):
                    continue
            if not walk(inner):
                return False
        return True

    if not all(walk(s) for s in selection_sets):
        return None
    return fields


def _applies(schema: GraphQLSchema, condition: str, type_: GraphQLObjectType) -> bool:
    """Whether a fragment on `condition` applies to objects of `type_` (graphql-core's
    `does_fragment_condition_match`)."""
    named = schema.get_type(condition)
    return is_abstract_type(named) and schema.is_sub_type(named, type_)  # type: ignore[arg-type]


def named_object(type_: Any) -> GraphQLObjectType | None:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return inner if isinstance(inner, GraphQLObjectType) else None


_PAGE_INFO: dict[str, Callable[[Page, list[str]], Any]] = {
    "hasNextPage": lambda page, cursors: len(page.rows) > page.size,
    "hasPreviousPage": lambda page, cursors: page.has_previous,
    "startCursor": lambda page, cursors: cursors[0] if cursors else None,
    "endCursor": lambda page, cursors: cursors[-1] if cursors else None,
}


def connection_writer(
    type_: GraphQLObjectType,
    fields: Fields,
    rows: RowType[Any],
    collect: Collect,
) -> PageWriter | None:
    """The writer of a connection page (schema/core/common.py `connection`): edges with their
    cursor and node, page info, type names; with the columns and statements it needs."""
    parts: list[tuple[str, str, Any]] = []
    columns: frozenset[str] = frozenset()
    loads: tuple[Load, ...] = ()
    edge_costs: list[Callable[[Row, Loaded], int]] = []
    edge_fixed: list[int | None] = []  # each edge's cost when the same for every row
    fixed = 0  # the keys of the connection and of its page info
    for response_name, nodes in fields.items():
        name = nodes[0].name.value
        fixed += 0 if response_name in FREE_KEYS else 1
        if name == "__typename":
            parts.append((response_name, "value", type_.name))
            continue
        field = type_.fields.get(name)
        target = None if field is None else named_object(_list_item(field.type))
        sub = None if target is None else collect(target, nodes)
        if target is None or sub is None:
            return None
        if name == "edges":
            edge = _edge(target, sub, rows, collect)
            if edge is None:
                return None
            columns |= edge[0].columns
            loads += edge[0].loads
            edge_costs.append(edge[0].cost)
            edge_fixed.append(edge[0].fixed_cost)
            parts.append((response_name, "edges", edge[1]))
        elif name == "pageInfo" and all(
            n[0].name.value in _PAGE_INFO or n[0].name.value == "__typename" for n in sub.values()
        ):
            info = [(k, n[0].name.value, target.name) for k, n in sub.items()]
            fixed += sum(0 if k in FREE_KEYS else 1 for k in sub)
            parts.append((response_name, "pageInfo", info))
        else:
            return None

    def write(page: Page, loaded: Loaded) -> dict[str, Any]:
        size = page.size
        cursors = page.cursors[:size]
        out: dict[str, Any] = {}
        for key, kind, how in parts:
            if kind == "edges":
                rows = zip(page.rows, cursors, strict=False)
                out[key] = [how(row, cursor, loaded) for row, cursor in rows]
            elif kind == "pageInfo":
                out[key] = {
                    k: typename if name == "__typename" else _PAGE_INFO[name](page, cursors)
                    for k, name, typename in how
                }
            else:
                out[key] = how
        return out

    def priced(page: Page, loaded: Loaded) -> int:
        rows = page.rows[: page.size]
        return fixed + sum(edge_cost(row, loaded) for edge_cost in edge_costs for row in rows)

    per_row = _same_for_every_row(edge_fixed)

    def counted(page: Page, loaded: Loaded) -> int:  # every row costs `per_row`
        assert per_row is not None
        return fixed + per_row * min(len(page.rows), page.size)

    return PageWriter(columns, loads, write, priced if per_row is None else counted)


@dataclass(frozen=True)
class PageWriter:
    """What a connection's selection needs, how it is written, and what it costs."""

    columns: frozenset[str]
    loads: tuple[Load, ...]
    write: Callable[[Page, Loaded], dict[str, Any]]
    cost: Callable[[Page, Loaded], int]


def _unused(row: Row, loaded: Loaded) -> dict[str, Any]:
    raise AssertionError("edges write their nodes themselves")


def _list_item(type_: Any) -> Any:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return inner.of_type if isinstance(inner, GraphQLList) else type_


def _same_for_every_row(costs: list[int | None]) -> int | None:
    """The sum of parts' costs when each is the same for every row (None: one is not)."""
    total = 0
    for cost in costs:
        if cost is None:
            return None
        total += cost
    return total


def _edge(
    type_: GraphQLObjectType,
    fields: Fields,
    rows: RowType[Any],
    collect: Collect,
) -> tuple[Compiled, Callable[[Row, str, Loaded], dict[str, Any]]] | None:
    parts: list[tuple[str, str, Any]] = []
    columns: frozenset[str] = frozenset()
    loads: tuple[Load, ...] = ()
    nodes_compiled: list[Compiled] = []
    fixed = sum(0 if key in FREE_KEYS else 1 for key in fields)
    for response_name, nodes in fields.items():
        name = nodes[0].name.value
        if name == "__typename":
            parts.append((response_name, "value", type_.name))
        elif name == "cursor":
            parts.append((response_name, "cursor", None))
        elif name == "node":
            field = type_.fields["node"]
            target = named_object(field.type)
            sub = None if target is None else collect(target, nodes)
            if target is None or sub is None or target.name != type_name(rows):
                return None
            compiled = rows.compile(target, sub, collect)
            if compiled is None:
                return None
            columns |= compiled.columns
            loads += compiled.loads
            nodes_compiled.append(compiled)
            parts.append((response_name, "node", compiled.write))
        else:
            return None

    node_costs = [compiled.cost for compiled in nodes_compiled]

    def edge_cost(row: Row, loaded: Loaded) -> int:
        return fixed + sum(node_cost(row, loaded) for node_cost in node_costs)

    same_cost = _same_for_every_row([compiled.fixed_cost for compiled in nodes_compiled])
    node_compiled = Compiled(
        columns, _unused, loads, edge_cost, None if same_cost is None else fixed + same_cost
    )
    kinds = [kind for _, kind, _ in parts]
    if kinds == ["cursor", "node"]:  # the usual edges, written out
        (cursor_key, _, _), (node_key, _, node) = parts
        return node_compiled, lambda row, cursor, d: {cursor_key: cursor, node_key: node(row, d)}
    if kinds == ["node"]:
        ((node_key, _, node),) = parts
        return node_compiled, lambda row, cursor, d: {node_key: node(row, d)}

    def edge(row: Row, cursor: str, loaded: Loaded) -> dict[str, Any]:
        return {
            key: cursor if kind == "cursor" else how(row, loaded) if kind == "node" else how
            for key, kind, how in parts
        }

    return node_compiled, edge
