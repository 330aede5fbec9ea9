"""Plans of planned queries: which root fields are read from rows, and how each is written.

Root fields are registered by their domain (`plan_connection`, `plan_object`, `plan_list`,
e.g. in schema/visits/queries.py; `plan_value` for a leaf root, its value serialised by
its type), and so are the types `node(id:)` may answer from rows
(`plan_node`): its selection is compiled for each of them, and the id's type picks one on
each request. For a document (`make_entry`) and the values of the
variables its `@include`/`@skip` read, `make_plan` collects each root's selection and
compiles its columns, its statements and its writer (schema/engine/writers.py, rows.py).
Roots it cannot plan are left to graphql-core: `rest` is the document without the planned
ones. schema/engine/planner.py runs the plans.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter

from schema.core.common import Page
from schema.engine.bounds import InputBounds
from schema.engine.codegen import Leaf
from schema.engine.row_fields import Load, Loaded, Row
from schema.engine.rows import Collect, Fields, RowType, type_name
from schema.engine.walker import chosen_operation
from schema.engine.writers import (
    collect_fields,
    condition_variables,
    connection_writer,
    named_object,
)

FetchPage = Callable[..., Awaitable[Page]]  # (context, columns, **arguments)
FetchOne = Callable[..., Awaitable[Row | None]]  # None: not found (graphql-core says so)
FetchList = Callable[..., Awaitable[Sequence[Row]]]
FetchValue = Callable[..., Awaitable[Any]]  # (context, **arguments): a leaf's Python value


@dataclass(frozen=True)
class _Root:
    rows: RowType[Any] | None  # None: a leaf (`value`)
    page: FetchPage | None = None
    one: FetchOne | None = None
    many: FetchList | None = None
    value: FetchValue | None = None


_ROOTS: dict[str, _Root] = {}
# GraphQL type name -> its rows and the fetch of one by primary key, for `node(id:)`.
_NODES: dict[str, _Root] = {}
NODE_FIELD = "node"


def plan_connection(field: str, rows: RowType[Any], fetch: FetchPage) -> None:
    """Root field `field` (its GraphQL name) is a connection of `rows`, read by `fetch`."""
    _ROOTS[field] = _Root(rows, page=fetch)


def plan_object(field: str, rows: RowType[Any], fetch: FetchOne) -> None:
    """Root field `field` is one object of `rows`, read by `fetch`."""
    _ROOTS[field] = _Root(rows, one=fetch)


def plan_list(field: str, rows: RowType[Any], fetch: FetchList) -> None:
    """Root field `field` is a list of `rows` (`[T!]!`), read by `fetch`."""
    _ROOTS[field] = _Root(rows, many=fetch)


def plan_value(field: str, fetch: FetchValue) -> None:
    """Root field `field` is a leaf (a scalar or an enum, `String!` say), whose Python value
    `fetch(context, **arguments)` gives, serialised by the field's own type."""
    _ROOTS[field] = _Root(None, value=fetch)


def plan_node(type_name: str, rows: RowType[Any], fetch: FetchOne) -> None:
    """`node(id:)` answers objects of `type_name` from `rows`, read by
    `fetch(context, columns, pk)`, which applies the rules the type's node fetcher does."""
    _NODES[type_name] = _Root(rows, one=fetch)


@dataclass(frozen=True)
class NodePlan:
    """`node(id:)`'s selection compiled for one type."""

    root: _Root
    columns: tuple[str, ...]
    loads: tuple[Load, ...]
    write: Callable[..., Any]
    cost: Callable[..., int]


@dataclass(frozen=True)
class RootPlan:
    response_name: str
    node: FieldNode | None  # None: `__typename`
    field: GraphQLField | None
    arguments: Any  # the strawberry field's arguments
    root: _Root | None  # None: `__typename`, or `node(id:)` (`by_type`)
    columns: tuple[str, ...]
    loads: tuple[Load, ...]
    write: Callable[..., Any]
    cost: Callable[..., int]  # of the written value (keys below the root's)
    # `node(id:)`: the plan of each type it may answer from rows (`root` is None); an id of
    # another type is answered by graphql-core.
    by_type: Mapping[str, NodePlan] | None = None
    # The arguments' values (graphql-core's) to what the fetch takes: strawberry's
    # conversion, built once (schema/engine/arguments.py, set by the planner).
    convert: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Plan:
    """The planned roots of a document; when some are not, `rest` is the document with
    only those, for graphql-core, and `order` the response names as the document has them."""

    roots: tuple[RootPlan, ...]
    rest: DocumentNode | None = None
    order: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """A document's operation, and its plans by the values of its directives' variables."""

    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    conditions: tuple[str, ...]  # variables read by @include / @skip
    plans: LRUCache[tuple[Any, ...], Plan | None]


def make_plan(
    graphql_schema: GraphQLSchema, entry: Entry, conditions: dict[str, bool]
) -> Plan | None:
    """The plan of a document for the values of its conditions, or None: graphql-core."""
    query_type = graphql_schema.query_type
    assert query_type is not None
    roots = collect_fields([entry.operation.selection_set], query_type, entry.fragments, conditions)
    if not roots:
        return None
    plans = []
    for response_name, nodes in roots.items():
        plan = _root(graphql_schema, response_name, nodes, entry, conditions)
        if plan is not None:
            plans.append(plan)
    if len(plans) == len(roots):
        return Plan(tuple(plans))
    planned = {plan.response_name for plan in plans if plan.node is not None}
    rest = _without(entry, planned)
    if not planned or rest is None:
        return None
    return Plan(tuple(p for p in plans if p.node is not None), rest, tuple(roots))


def _root(
    graphql_schema: GraphQLSchema,
    response_name: str,
    nodes: list[FieldNode],
    entry: Entry,
    conditions: dict[str, bool],
) -> RootPlan | None:
    query_type = graphql_schema.query_type
    assert query_type is not None
    name = nodes[0].name.value
    if name == "__typename":
        typename = query_type.name
        return RootPlan(response_name, None, None, None, None, (), (), lambda: typename, _no_cost)
    root = _ROOTS.get(name)
    field = query_type.fields.get(name)
    if (root is None and name != NODE_FIELD) or field is None or len(nodes) != 1:
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        definition is None
        or any(not isinstance(e, InputBounds) for e in definition.extensions)
        or definition.permission_classes
    ):
        return None

    def collect(type_: GraphQLObjectType, of: list[FieldNode]) -> Fields | None:
        selections = [n.selection_set for n in of]
        return collect_fields(selections, type_, entry.fragments, conditions, graphql_schema)

    if root is None:
        return _node(graphql_schema, response_name, nodes[0], field, definition, collect)
    if root.value is not None:
        return _leaf(response_name, nodes[0], field, definition, root)
    assert root.rows is not None

    target = named_object(_list_item(field.type) if root.many else field.type)
    selected = None if target is None else collect(target, nodes)
    if target is None or selected is None:
        return None
    if root.page is not None:
        connection = connection_writer(target, selected, root.rows, collect)
        if connection is None:
            return None
        made = (response_name, nodes[0], field, definition, root)
        return _made(*made, connection.columns, connection.loads, connection.write, connection.cost)
    if target.name != type_name(root.rows):
        return None
    compiled = root.rows.compile(target, selected, collect)
    if compiled is None:
        return None
    if root.many is not None:
        write_one, cost_one = compiled.write, compiled.cost

        def write(rows: Sequence[Row], loaded: Loaded) -> list[dict[str, Any]]:
            return [write_one(row, loaded) for row in rows]

        def cost(rows: Sequence[Row], loaded: Loaded) -> int:
            return sum(cost_one(row, loaded) for row in rows)

        made = (response_name, nodes[0], field, definition, root)
        return _made(*made, compiled.columns, compiled.loads, write, cost)
    return _made(
        response_name,
        nodes[0],
        field,
        definition,
        root,
        compiled.columns,
        compiled.loads,
        compiled.write,
        compiled.cost,
    )


def _leaf(
    response_name: str, node: FieldNode, field: GraphQLField, definition: Any, root: _Root
) -> RootPlan | None:
    """A leaf root's plan: its value serialised as graphql-core serialises it (`Leaf`)."""
    if node.selection_set is not None or not is_leaf_type(get_named_type(field.type)):
        return None
    serialise = Leaf(get_named_type(field.type), isinstance(field.type, GraphQLNonNull))

    def write(value: Any, loaded: Loaded) -> Any:
        return serialise(value)

    made = (response_name, node, field, definition, root)
    return _made(*made, frozenset(), (), write, _no_leaf_cost)


def _no_leaf_cost(value: Any, loaded: Loaded) -> int:
    return 0


def _node(
    graphql_schema: GraphQLSchema,
    response_name: str,
    node: FieldNode,
    field: GraphQLField,
    definition: Any,
    collect: Collect,
) -> RootPlan | None:
    """`node(id:)`'s plan: its selection compiled for each type registered with
    `plan_node`, or None when it compiles for none."""
    interface = get_named_type(field.type)
    if not isinstance(interface, GraphQLInterfaceType):
        return None
    by_type = {}
    for name, root in _NODES.items():
        target = graphql_schema.get_type(name)
        if not isinstance(target, GraphQLObjectType) or not graphql_schema.is_sub_type(
            interface, target
        ):
            continue
        selected = collect(target, [node])
        assert root.rows is not None  # plan_node's
        compiled = None if selected is None else root.rows.compile(target, selected, collect)
        if compiled is not None:
            columns = tuple(sorted(compiled.columns))
            by_type[name] = NodePlan(root, columns, compiled.loads, compiled.write, compiled.cost)
    if not by_type:
        return None
    made = (response_name, node, field, definition, None)
    return _made(*made, frozenset(), (), _no_write, _no_cost, by_type)


def _no_write() -> None:
    raise AssertionError("node(id:) writes with the plan of the id's type")


def _made(
    response_name: str,
    node: FieldNode,
    field: GraphQLField,
    definition: Any,
    root: _Root | None,
    columns: frozenset[str],
    loads: tuple[Load, ...],
    write: Callable[..., Any],
    cost: Callable[..., int],
    by_type: Mapping[str, NodePlan] | None = None,
) -> RootPlan:
    return RootPlan(
        response_name=response_name,
        node=node,
        field=field,
        arguments=definition.arguments,
        root=root,
        columns=tuple(sorted(columns)),
        loads=loads,
        write=write,
        cost=cost,
        by_type=by_type,
    )


def _list_item(type_: Any) -> Any:
    """T of `[T!]!`, or None: a list of rows is never null, nor are its items."""
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else None
    item = inner.of_type if isinstance(inner, GraphQLList) else None
    return item.of_type if isinstance(item, GraphQLNonNull) else None


def _without(entry: Entry, planned: set[str]) -> DocumentNode | None:
    """The document with only the root fields not in `planned`, for graphql-core; None when
    the root selection is not plain fields (a fragment at the root: left whole)."""
    operation = entry.operation
    selections = operation.selection_set.selections
    if not all(isinstance(s, FieldNode) for s in selections):
        return None
    kept = tuple(
        s
        for s in selections
        if isinstance(s, FieldNode) and (s.alias or s.name).value not in planned
    )
    rest = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=SelectionSetNode(selections=kept),
    )
    return DocumentNode(definitions=(rest, *entry.fragments.values()))


def _no_cost() -> int:
    return 0


def make_entry(document: DocumentNode, operation_name: str | None) -> Entry | None:
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
    return Entry(
        operation=operation,
        fragments=fragments,
        conditions=condition_variables(document),
        plans=LRUCache(8),
    )
