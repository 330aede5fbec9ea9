"""What a planned document writes: its selection gathered per type, then a compiled writer
from rows to JSON for a connection page (edges, cursors, page info) or one object.

schema/engine/planner.py decides which documents are planned and runs them; each
writer here gives up (None) on anything it does not expect, and graphql-core answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
)

from schema.core.common import Page
from schema.engine.rows import Collect, Fields, Row, RowType

# Selections one planned document may hold, fragments spread: a page of visits takes ~30.
MAX_SELECTIONS = 500


def collect_fields(
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


def named_object(type_: Any) -> GraphQLObjectType | None:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return inner if isinstance(inner, GraphQLObjectType) else None


def type_name(rows: RowType[Any]) -> str:
    return str(rows.cls.__strawberry_definition__.name)  # type: ignore[attr-defined]


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
        target = None if field is None else named_object(_list_item(field.type))
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
            target = named_object(field.type)
            sub = None if target is None else collect(target, nodes)
            if target is None or sub is None or target.name != type_name(rows):
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
