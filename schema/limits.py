"""Limits on what one request may ask: operations, introspection and cost.

Depth, aliases and tokens use Strawberry's own extensions (see `schema/__init__`).
Cost is estimated, once the document is valid, from the document and its variables: every
field costs 1, times the page size of each connection above it (`first`,
default 20) and 10 for each plain list. The estimate is reported in
`extensions.cost` so clients can see how close they are to the limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
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
)
from strawberry.extensions import SchemaExtension

from schema.common import DEFAULT_PAGE

LIST_ESTIMATE = 10
INTROSPECTION_FIELDS = {"__schema", "__type"}


def _error(message: str, code: str, **extra: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extra})


class _CostWalker:
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

    def _page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value not in {"first", "last"}:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(0, int(value.value))
            if isinstance(value, VariableNode):
                raw = self.variables.get(value.name.value)
                return max(0, raw) if isinstance(raw, int) else DEFAULT_PAGE
        return DEFAULT_PAGE

    def _field_def(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            field: GraphQLField | None = parent.fields.get(name)
            return field
        return None

    def cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        multiplier: int,
        seen: frozenset[str],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name in INTROSPECTION_FIELDS:
                    self.introspection = True
                    continue
                if name == "__typename":
                    continue
                total += multiplier
                field = self._field_def(parent, name)
                if field is None:
                    continue
                child_type = get_named_type(field.type)
                factor = 1
                if child_type.name.endswith("Connection"):
                    factor = self._page_size(selection)
                elif isinstance(get_nullable_type(field.type), GraphQLList):
                    factor = LIST_ESTIMATE
                total += self.cost(selection.selection_set, child_type, multiplier * factor, seen)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.schema.get_type(selection.type_condition.name.value)
                total += self.cost(selection.selection_set, target, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                total += self.cost(fragment.selection_set, target, multiplier, seen | {name})
        return total


class QueryLimits(SchemaExtension):
    """Refuses, before execution, documents that are too many, too costly or too curious."""

    def __init__(self, *, max_operations: int, max_cost: int, introspection: str) -> None:
        self.max_operations = max_operations
        self.max_cost = max_cost
        self.introspection = introspection
        self.cost: int | None = None

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        document = ec.graphql_document
        # Runs after ValidationCache has validated: only valid documents are costed.
        if document is not None and not ec.pre_execution_errors:
            error = self._check(document.definitions)
            if error is not None:
                ec.pre_execution_errors = [error]
        yield

    def _check(self, definitions: Any) -> GraphQLError | None:
        ec = self.execution_context
        operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > self.max_operations:
            return _error(
                f"Too many operations in one document (at most {self.max_operations}).",
                "OPERATION_LIMIT",
            )
        fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        schema = ec.schema._schema
        walker = _CostWalker(schema, fragments, ec.variables or {})
        chosen = [
            op
            for op in operations
            if ec.operation_name is None or (op.name and op.name.value == ec.operation_name)
        ]
        cost = 0
        for operation in chosen[:1]:
            root = schema.get_root_type(operation.operation)
            cost = walker.cost(operation.selection_set, root, 1, frozenset())
        self.cost = cost
        if walker.introspection and not self._introspection_allowed():
            return _error("Introspection is not available to this caller.", "FORBIDDEN")
        if cost > self.max_cost:
            return _error(
                f"Query too costly: {cost} > {self.max_cost}. Ask for smaller pages.",
                "QUERY_TOO_COSTLY",
                cost=cost,
                maxCost=self.max_cost,
            )
        return None

    def _introspection_allowed(self) -> bool:
        if self.introspection == "public":
            return True
        if self.introspection == "off":
            return False
        context = self.execution_context.context
        return getattr(context, "maybe_viewer", None) is not None

    def get_results(self) -> dict[str, Any]:
        return {} if self.cost is None else {"cost": self.cost, "maxCost": self.max_cost}
