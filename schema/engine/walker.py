"""What a document measures, each fragment computed once: depth, aliases and cost.

Cost estimate: every field costs 1, times the page size (`first`/`last`, default 20)
for what is inside a connection's edges, and times 10 inside any other list. Introspection
fields are free (graphql-core's MaxIntrospectionDepthRule bounds them); the walker notes
that they were asked, for the introspection setting (schema/engine/limits.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    value_from_ast_untyped,
)

from schema.core.common import DEFAULT_PAGE

LIST_ESTIMATE = 10
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


class Walker:
    """Depth, aliases and cost of a document, each fragment computed once."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.introspection = False
        # The variables the cost read (page sizes): the cost of a document is the same for
        # any request whose values of these are the same (schema/engine/limits.py).
        self.read: set[str] = set()
        self._memo: dict[tuple[str, str, int | None], int] = {}
        self._active: set[str] = set()

    def _fragment(
        self, kind: str, name: str, page: int | None, compute: Callable[[Any], int]
    ) -> int:
        key = (kind, name, page)
        if key not in self._memo:
            fragment = self.fragments.get(name)
            if fragment is None or name in self._active:
                return 0  # unknown or cyclic: validation reports it
            self._active.add(name)
            try:
                self._memo[key] = compute(fragment)
            finally:
                self._active.discard(name)
        return self._memo[key]

    def depth(self, selection_set: SelectionSetNode | None) -> int:
        """Levels of nested fields; introspection fields are left to graphql-core."""
        deepest = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + self.depth(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                found = self._fragment(
                    "depth", selection.name.value, None, lambda f: self.depth(f.selection_set)
                )
                deepest = max(deepest, found)
        return deepest

    def aliases(self, selection_set: SelectionSetNode | None) -> int:
        """Aliased fields once every fragment spread is expanded."""
        count = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                count += (1 if selection.alias else 0) + self.aliases(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                count += self.aliases(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                count += self._fragment(
                    "aliases", selection.name.value, None, lambda f: self.aliases(f.selection_set)
                )
        return count

    def _page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value not in {"first", "last"}:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(0, int(value.value))
            if isinstance(value, VariableNode):
                self.read.add(value.name.value)
                raw = self.variables.get(value.name.value)
                if isinstance(raw, int) and not isinstance(raw, bool):
                    return max(0, raw)
                return DEFAULT_PAGE
        return DEFAULT_PAGE

    @staticmethod
    def _field_def(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            field: GraphQLField | None = parent.fields.get(name)
            return field
        return None

    def cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        page: int | None = None,
    ) -> int:
        """Cost of one pass over `selection_set`; `page` is set directly under a connection."""
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name in INTROSPECTION_FIELDS:
                    self.introspection = True
                    continue
                if name.startswith("__"):
                    continue
                total += 1
                field = self._field_def(parent, name)
                if field is None or selection.selection_set is None:
                    continue
                child = get_named_type(field.type)
                if child.name.endswith("Connection"):
                    total += self.cost(selection.selection_set, child, self._page_size(selection))
                    continue
                factor = 1
                if isinstance(get_nullable_type(field.type), GraphQLList):
                    factor = page if page is not None else LIST_ESTIMATE
                total += factor * self.cost(selection.selection_set, child)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.schema.get_type(selection.type_condition.name.value)
                total += self.cost(selection.selection_set, target, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(
                    "cost",
                    selection.name.value,
                    page,
                    lambda f: self.cost(
                        f.selection_set, self.schema.get_type(f.type_condition.name.value), page
                    ),
                )
        return total


def operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def variable_defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    return {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }


def chosen_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    """The operation a request runs: Strawberry runs the first one when no name is given."""
    found = operations(document)
    if name is None:
        return found[0] if found else None
    return next((op for op in found if op.name and op.name.value == name), None)
