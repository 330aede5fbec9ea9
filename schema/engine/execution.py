"""Execution with a fast path for plain data: resolver-less fields read as attributes.

graphql-core completes every field of every object one by one: it builds a resolve
info, calls the resolver, checks for awaitables, then dispatches on the type. For the
50 visits of a calendar page that is about 1,000 fields, and it cost more than the SQL.
Most of them are strawberry "basic" fields (no resolver, no permission, no extension):
plain attributes of the dataclasses the resolvers hand over.

Here a basic field whose whole selection is made of basic fields (scalars, enums,
lists and objects of them) is completed in one pass, by functions compiled once for
each selection of a document and shared by every execution of it (unless its variables
can change what is selected). Anything else takes graphql-core's path: a field with a
resolver or arguments, an abstract type, a middleware (schema extension `resolve`),
`@defer` and `@stream`. Whenever the fast pass meets something it does not expect (a
null where the schema says non-null, a value a scalar refuses, an exception, an
awaitable), it gives the field up and graphql-core completes it from the start, so
errors, null propagation and their paths are graphql-core's own. The fast pass only
reads attributes, so running the field again is safe.

A finished execution leaves no reference cycle behind (`build_response`): with thousands
of open sockets, what the cycle collector had to find aged into the old generation, and
each of its full collections stopped the process for most of a second.
"""

from __future__ import annotations

import keyword
import weakref
from inspect import CORO_CREATED, getcoroutinestate
from types import CoroutineType
from typing import Any

from cachetools import LRUCache
from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    is_leaf_type,
)
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from schema.engine.codegen import Complete, GiveUp, Leaf, bind, compiled, completed

_SEQUENCES = (list, tuple)

# graphql-core fields are not hashable: keyed by id, the field kept alive beside its answer.
_attributes: dict[int, tuple[GraphQLField, str | None]] = {}


# For each schema, by id(operation): (the operation, kept alive so that its id stays its own;
# the completers its executions share, or None when its variables can change the selection).
SHARED_OPERATIONS = 256
_Shared = LRUCache[int, tuple[OperationDefinitionNode, dict[tuple[Any, ...], Any] | None]]
_shared: weakref.WeakKeyDictionary[GraphQLSchema, _Shared] = weakref.WeakKeyDictionary()


def _attribute(field: GraphQLField) -> str | None:
    """The attribute a strawberry field reads, when it is a plain attribute."""
    found = _attributes.get(id(field))
    if found is not None:
        return found[1]
    name = None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    python_name = getattr(definition, "python_name", None)
    if (
        field.resolve is not None
        and is_default_resolver(field.resolve)  # strawberry's resolver for basic fields
        and not field.args
        and definition is not None
        and definition.is_basic_field
        and definition.default_resolver is getattr
        and isinstance(python_name, str)
        and python_name.isidentifier()
        and not keyword.iskeyword(python_name)
    ):
        name = python_name
    _attributes[id(field)] = (field, name)
    return name


def _plain_type_check(is_type_of: Any) -> bool:
    """Strawberry's own `is_type_of` (an isinstance check), which never reads `info`."""
    qualname = getattr(is_type_of, "__qualname__", "")
    return str(qualname).endswith("_get_is_type_of.<locals>.is_type_of")


def _stable_key(type_: GraphQLOutputType, field_details_list: Any) -> tuple[Any, ...] | None:
    """A field group named by its field nodes, which are the document's and so the same for
    every event of a subscription; None when the group also depends on what one collection
    made (a deferred fragment, fragment variables)."""
    key: list[Any] = [type_]
    for details in field_details_list:
        if details.defer_usage is not None or details.fragment_variable_values is not None:
            return None
        key.append(id(details.node))
    return tuple(key)


def _has_variable(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_has_variable(v) for v in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_has_variable(f.value) for f in value.fields)
    return False


def collection_is_static(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> bool:
    """Whether the fields collected for `operation` are the same whatever its variables.

    They are unless a directive takes a variable (`@include(if: $x)`, `@skip`, `@defer`)
    or a fragment spread takes arguments.
    """
    seen: set[str] = set()
    pending: list[SelectionSetNode] = [operation.selection_set]
    while pending:
        for selection in pending.pop().selections:
            for directive in selection.directives or ():
                if any(_has_variable(argument.value) for argument in directive.arguments or ()):
                    return False
            if isinstance(selection, FragmentSpreadNode):
                if getattr(selection, "arguments", None):
                    return False
                name = selection.name.value
                if name in seen:
                    continue
                seen.add(name)
                fragment = fragments.get(name)
                if fragment is None:
                    return False
                pending.append(fragment.selection_set)
            else:
                nested = getattr(selection, "selection_set", None)
                if nested is not None:
                    pending.append(nested)
    return True


def _shared_completers(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> dict[tuple[Any, ...], Any] | None:
    """The completers every execution of `operation` shares, or None if variables matter."""
    by_operation = _shared.get(schema)
    if by_operation is None:
        by_operation = _shared[schema] = LRUCache(SHARED_OPERATIONS)
    found = by_operation.get(id(operation))
    if found is not None:
        return found[1]
    completers: dict[tuple[Any, ...], Any] | None = (
        {} if collection_is_static(operation, fragments) else None
    )
    by_operation[id(operation)] = (operation, completers)
    return completers


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, completing plain-data selections in one pass."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keyed by field nodes, completers are compiled once for the document and this dict
        # stays its size: (type, id(node)...) -> (field group keeping the nodes alive,
        # completer or None). Parsed documents are cached (schema/engine/limits.py), so when the
        # variables cannot change what is collected, every execution of the operation shares
        # one dict: thousands of subscriptions to the same document hold no completers of
        # their own, and a request compiles nothing. Otherwise the dict is this executor's,
        # and a subscription's: its executor is copied for each event
        # (`build_per_event_executor`), each event collecting its field groups anew.
        shared = _shared_completers(self.schema, self.operation, self.fragment_definitions)
        self._completers: dict[tuple[Any, ...], tuple[Any, Complete | None]] = (
            {} if shared is None else shared
        )
        # The other groups, by identity, for one execution (one event) only.
        self._by_identity: dict[tuple[Any, ...], tuple[Any, Complete | None]] = {}
        manager = self.middleware_manager
        self._fast = manager is None or not manager.middlewares
        # The resolvers' coroutines of this execution (see `complete_awaitable_value`).
        self._resolving: list[CoroutineType[Any, Any, Any]] = []

    def build_per_event_executor(self, payload: Any) -> FastExecutionContext:
        executor = super().build_per_event_executor(payload)
        assert isinstance(executor, FastExecutionContext)  # a copy of this one
        # graphql-core memoises collected subfields (and stream usages) by the identity of
        # each field group. Shared with the subscription's executor by the shallow copy, the
        # memo would keep every event's groups alive for as long as the subscription lasts.
        executor._relevant_sub_fields = {}
        executor._stream_usages = type(self._stream_usages)()
        executor._by_identity = {}
        executor._resolving = []
        return executor

    def complete_awaitable_value(  # type: ignore[override]
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's, the resolver's coroutine (`result`) kept until the response.

        When a field fails and nulls its parent, graphql-core cancels the sibling fields
        still running, and a cancelled task that had not started drops the coroutine it was
        given without running it: its resolver never runs (nothing lost), but Python warns
        at its collection that it was never awaited, in the log of every such request.
        Resolvers that answer without waiting (the embedded default's statements run on the
        loop's thread) make it common. `build_response` closes those never started."""
        if type(result) is CoroutineType:
            self._resolving.append(result)
        return super().complete_awaitable_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def build_response(self, data: dict[str, Any] | None) -> Any:
        response = super().build_response(data)
        if not self.background_futures and not self.pending_incremental_futures:
            # Nothing runs for this execution any more: a coroutine not started never will.
            for coroutine in self._resolving:
                if getcoroutinestate(coroutine) == CORO_CREATED:
                    coroutine.close()
            self._resolving = []
            # graphql-core's resolve-info helpers are bound methods of the executor, a
            # reference cycle: every finished request (executor, context, viewer, collected
            # fields, completers: about a hundred objects) was left to the cycle collector,
            # whose young collections then ran often enough to age the objects of requests
            # still running into the old generation. Nothing runs for this executor once its
            # response is built; a subscription's executor lends copies to its events.
            del self.async_helpers
            # strawberry keeps an event's executor until the next event comes: let it hold
            # no more than its answer.
            self.root_value = None
            self._relevant_sub_fields = {}
            self._by_identity = {}
        return response

    def execute_field(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        if self._fast:
            node = field_details_list[0].node
            field = parent_type.fields.get(node.name.value)
            if field is not None and not node.arguments:
                name = _attribute(field)
                complete = None if name is None else self._completer(field.type, field_details_list)
                if name is not None and complete is not None:
                    try:
                        return complete(getattr(source, name))
                    except Exception:  # noqa: S110 - graphql-core runs it again, and reports
                        pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _completer(self, type_: GraphQLOutputType, field_details_list: Any) -> Complete | None:
        key = _stable_key(type_, field_details_list)
        cache = self._completers
        if key is None:
            key, cache = (type_, id(field_details_list)), self._by_identity
        found = cache.get(key)
        if found is None:
            found = (field_details_list, self._compile(type_, field_details_list))
            cache[key] = found
        return found[1]

    def _compile(self, type_: GraphQLOutputType, field_details_list: Any) -> Complete | None:
        non_null = isinstance(type_, GraphQLNonNull)
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(inner, GraphQLList):
            return self._list(inner, field_details_list, non_null)
        if is_leaf_type(inner):
            return Leaf(inner, non_null, self.is_awaitable)
        if isinstance(inner, GraphQLObjectType):
            return self._object(inner, field_details_list, non_null)
        return None  # interfaces and unions: graphql-core resolves the runtime type

    def _list(
        self, type_: GraphQLList[Any], field_details_list: Any, non_null: bool
    ) -> Complete | None:
        for details in field_details_list:
            if any(d.name.value == "stream" for d in details.node.directives or ()):
                return None  # incremental delivery: graphql-core's
        item = self._completer(type_.of_type, field_details_list)
        if item is None:
            return None

        def list_(value: Any) -> Any:
            if type(value) in _SEQUENCES:
                return [item(element) for element in value]
            if value is None and not non_null:
                return None
            raise GiveUp  # null where not allowed, generators, async iterables...

        return list_

    def _object(
        self, type_: GraphQLObjectType, field_details_list: Any, non_null: bool
    ) -> Complete | None:
        is_type_of = type_.is_type_of
        if is_type_of is not None and not _plain_type_check(is_type_of):
            return None
        grouped, defer_usages, _ = self.collect_subfields(type_, field_details_list)
        if defer_usages:
            return None
        # One function per selection, written out: `{k0: c0(value.id), ...}` runs about
        # twice as fast as a loop over getters. Only attribute names (Python identifiers
        # from the strawberry types, see `_attribute`) go into the code; response names
        # and completers are passed in as values.
        namespace: dict[str, Any] = {"GiveUp": GiveUp, "is_type_of": is_type_of}
        items = []
        for response_name, group in grouped.items():
            node = group[0].node
            key = bind(namespace, "k", response_name)
            if node.name.value == "__typename":
                items.append(f"{key}: {bind(namespace, 'v', type_.name)}")
                continue
            field = type_.fields.get(node.name.value)
            name = _attribute(field) if field is not None and not node.arguments else None
            if name is None or field is None:
                return None
            complete = self._completer(field.type, group)
            if complete is None:
                return None
            if isinstance(complete, Leaf):
                items.append(f"{key}: {completed(complete, f'value.{name}', namespace)}")
            else:
                items.append(f"{key}: {bind(namespace, 'c', complete)}(value.{name})")
        lines = [
            "def object_(value):",
            "    if value is None:",
            "        raise GiveUp" if non_null else "        return None",
        ]
        if is_type_of is not None:
            lines += ["    if not is_type_of(value, None):", "        raise GiveUp"]
        lines.append("    return {" + ", ".join(items) + "}")
        source = "\n".join(lines)
        exec(compiled(source, "<fast completion>"), namespace)  # noqa: S102 - attribute names

        # Taken out of its own globals: left in, the function and its namespace would make a
        # cycle, freed only by the cycle collector.
        object_: Complete = namespace.pop("object_")
        return object_
