"""Strawberry types read from plain rows, declared once for both ways of answering.

A `RowType` says, for each field of a strawberry type, which columns of a row it is
read from (`Column`), which nested object of the same row it is (`Part`), or which rows
of another statement it is (`Fetched`: an invoice's lines; a visit's rating, from columns
its visit's statement joins), read once for all the rows of a level; those are declared
in schema/engine/row_fields.py. From that one declaration come:

- `build(row)`: the strawberry object, for graphql-core's execution (mutation payloads,
  `node`, every document the planner does not take);
- `compile(type, fields)`: the columns a selection needs, the statements of the levels
  below (`Load`), and a function from a row (and what those statements read) straight to
  the selection's JSON, for planned queries (schema/engine/planner.py), where no object is
  made at all.

Both read a field's Python value with the same `Column`, and the compiled function
serialises it with the field's own GraphQL type (graphql-core's `coerce_output_value`,
through `schema.engine.codegen.Leaf`), so the two ways cannot disagree. Whenever a row holds
something the compiled function does not expect (a null where the schema says non-null,
a value a scalar refuses), it raises `GiveUp` and the caller answers the graphql-core way.
"""

from __future__ import annotations

import functools
import itertools
import keyword
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    is_leaf_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.private import is_private

from schema.engine.codegen import GiveUp, Leaf, bind, compiled, completed, total
from schema.engine.row_fields import Column, Fetched, Load, Loaded, Part, Row
from schema.engine.throttle import FREE_KEYS

T = TypeVar("T")
# Response name -> the field nodes of that name, merged (see schema/engine/planner.py `collect`).
Fields = dict[str, list[FieldNode]]
Collect = Callable[[GraphQLObjectType, list[FieldNode]], Fields | None]


@dataclass(frozen=True)
class Compiled:
    """What one selection of a row type needs, and the function that answers it."""

    columns: frozenset[str]
    write: Callable[[Row, Loaded], dict[str, Any]]
    loads: tuple[Load, ...] = ()
    # What the written object costs, priced as `actual_cost` prices any answer
    # (schema/engine/throttle.py), without walking it.
    cost: Callable[[Row, Loaded], int] = lambda row, loaded: 0
    # That cost when it is the same for every row (no list, nothing nullable below a
    # field that counts): a page's cost is then counted without calling `cost` per row.
    fixed_cost: int | None = None


class RowType(Generic[T]):
    """The fields of strawberry type `cls`, read from rows.

    `fields` are the constructor's arguments. `computed` are fields with a resolver of
    their own that only read columns (e.g. a duration from two times), or an object of
    columns the row's statement joins (a message's author): graphql-core calls the
    resolver, the planner reads the same columns with the same function.
    `fetched` are fields with a resolver that reads other rows (see `Fetched`), or plain
    fields a root's resolver hands in that its planned fetch reads the same way (the
    pending requests' rule checks). `given` are plain fields not read from rows (a signed
    link: the request's settings and clock), handed to `build` by its caller; a selection
    with one of them is not planned.
    """

    def __init__(
        self,
        cls: type[T],
        fields: Mapping[str, Column | Part],
        computed: Mapping[str, Column | Part] | None = None,
        fetched: Mapping[str, Fetched] | None = None,
        given: Iterable[str] = (),
    ) -> None:
        self.cls = cls
        self.fields = dict(fields)
        self.given = frozenset(given)
        self.computed = dict(computed or {})
        self.fetched = dict(fetched or {})
        definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        # `strawberry.Private` attributes are no fields of the schema: read from a column
        # (`fields`) or handed to `build`.
        private = {f.python_name for f in definition.fields if is_private(f.type)}
        exposed = [f for f in definition.fields if f.python_name not in private]
        plain = {f.python_name for f in exposed if f.base_resolver is None}
        resolved = {f.python_name for f in exposed if f.base_resolver is not None}
        handed = set(self.fetched) & plain  # plain fields fetched when planned
        if (
            plain != (set(self.fields) | self.given | handed) - private
            or (self.given | handed) & set(self.fields)
            or self.given & handed
            or not set(self.computed) | set(self.fetched) <= resolved | handed
            or set(self.computed) & set(self.fetched)
        ):
            raise TypeError(
                f"{cls.__name__}: the row declaration does not match its fields (plain: "
                f"{sorted(plain)}, with resolvers: {sorted(resolved)})"
            )
        self.columns = tuple(dict.fromkeys(self._columns()))

    def _columns(self) -> Iterable[str]:
        for spec in (*self.fields.values(), *self.computed.values()):
            if isinstance(spec, Column):
                yield from spec.names
            else:
                if spec.unless_null is not None:
                    yield spec.unless_null
                yield from spec.of.columns

    # ----------------------------------------------------------------- objects

    def build(
        self,
        row: Row,
        shared: dict[tuple[Any, ...], Any] | None = None,
        given: Mapping[str, Any] | None = None,
    ) -> T:
        """The strawberry object of `row` (and the `given` fields); nested objects equal
        within `shared` are one."""
        if shared is None:
            return self._from_row(row, given or _NOTHING)
        values = dict(given or {})
        for name, spec in self.fields.items():
            if isinstance(spec, Column):
                values[name] = spec.value(row)
            else:
                values[name] = spec.of._part(row, spec, shared)
        return self.cls(**values)

    def row_of(self, model: Any) -> dict[str, Any]:
        """A model instance (or any object with these attributes) as this type's row."""
        return {name: getattr(model, name) for name in self.columns}

    def from_model(self, model: Any, given: Mapping[str, Any] | None = None) -> T:
        """The strawberry object of a model instance (what `build` makes of `row_of`)."""
        return self._from_attributes(model, given or _NOTHING)

    @functools.cached_property
    def _from_row(self) -> Callable[[Row, Mapping[str, Any]], T]:
        return self._builder(attributes=False)

    @functools.cached_property
    def _from_attributes(self) -> Callable[[Any, Mapping[str, Any]], T]:
        return self._builder(attributes=True)

    def _builder(self, attributes: bool) -> Callable[[Any, Mapping[str, Any]], T]:
        """`build` without `shared`, compiled: one call of the constructor with an
        expression per field, reading a row's keys (or, `attributes`, a model's)."""
        namespace: dict[str, Any] = {"cls": self.cls, "E": _NOTHING}
        arguments = ", ".join(
            f"{name}={self._argument(spec, attributes, namespace)}"
            for name, spec in self.fields.items()
        )
        source = f"def build(r, g):\n    return cls({arguments}, **g)\n"
        exec(compiled(source, f"<{self.cls.__name__} from rows>"), namespace)  # noqa: S102 - names are passed as values
        build: Callable[[Any, Mapping[str, Any]], T] = namespace["build"]
        return build

    @staticmethod
    def _argument(spec: Column | Part, attributes: bool, namespace: dict[str, Any]) -> str:
        def read(name: str) -> str:
            if attributes:  # a column's name is an attribute of the model
                assert name.isidentifier(), name
                assert not keyword.iskeyword(name), name
                return f"r.{name}"
            return f"r[{bind(namespace, 'n', name)}]"

        if isinstance(spec, Part):
            method = "_from_attributes" if attributes else "_from_row"
            nested = f"{bind(namespace, 'p', getattr(spec.of, method))}(r, E)"
            if spec.unless_null is None:
                return nested
            return f"(None if {read(spec.unless_null)} is None else {nested})"
        values = ", ".join(read(name) for name in spec.names)
        if spec.read is None:
            return values
        return f"{bind(namespace, 'f', spec.read)}({values})"

    def build_all(self, rows: Iterable[Row]) -> list[T]:
        """A page of objects, whose rows share their nested objects (a page of visits has
        one worker object per worker, not one per visit)."""
        shared: dict[tuple[Any, ...], Any] = {}
        return [self.build(row, shared) for row in rows]

    def _part(self, row: Row, spec: Part, shared: dict[tuple[Any, ...], Any] | None) -> Any:
        if spec.unless_null is not None and row[spec.unless_null] is None:
            return None
        if shared is None:
            return self.build(row)
        key = (id(self), *(row[name] for name in self.columns))
        found = shared.get(key)
        if found is None:
            found = shared[key] = self.build(row, shared)
        return found

    # ----------------------------------------------------------------- JSON

    def compile(
        self, type_: GraphQLObjectType, fields: Fields, collect: Collect
    ) -> Compiled | None:
        """The function from a row to the JSON of `fields` (a selection on `type_`), or
        None when the selection asks for something not read from rows."""
        namespace: dict[str, Any] = {"GiveUp": GiveUp}
        needed: set[str] = set()
        loads: list[Load] = []
        costs: list[str | int] = []
        body = self._expression(type_, fields, collect, namespace, needed, loads, costs)
        if body is None:
            return None
        source = (
            f"def write(r, d):\n    return {body}\ndef cost(r, d):\n    return {total(costs)}\n"
        )
        exec(compiled(source, "<planned row>"), namespace)  # noqa: S102 - names are passed as values
        constants = [term for term in costs if isinstance(term, int)]
        fixed_cost = sum(constants) if len(constants) == len(costs) else None
        return Compiled(
            frozenset(needed), namespace["write"], tuple(loads), namespace["cost"], fixed_cost
        )

    def _expression(
        self,
        type_: GraphQLObjectType,
        fields: Fields,
        collect: Collect,
        namespace: dict[str, Any],
        needed: set[str],
        loads: list[Load],
        costs: list[str | int],
    ) -> str | None:
        """The expression of the object `fields` select; `costs` gets the terms of its cost."""
        items = []
        for response_name, nodes in fields.items():
            key = bind(namespace, "k", response_name)
            costs.append(0 if response_name in FREE_KEYS else 1)
            field_name = nodes[0].name.value
            if field_name == "__typename":
                items.append(f"{key}: {bind(namespace, 't', type_.name)}")
                continue
            field = type_.fields.get(field_name)
            if field is None or any(node.arguments for node in nodes):
                return None
            definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            python_name = getattr(definition, "python_name", None)
            spec = (
                self.fields.get(python_name)  # type: ignore[arg-type]
                or self.computed.get(python_name)  # type: ignore[arg-type]
                or self.fetched.get(python_name)  # type: ignore[arg-type]
            )
            non_null = isinstance(field.type, GraphQLNonNull)
            inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            if isinstance(spec, Column) and is_leaf_type(inner):
                if any(node.selection_set for node in nodes):
                    return None
                items.append(f"{key}: {self._leaf(spec, inner, non_null, namespace, needed)}")
            elif isinstance(spec, Part) and isinstance(inner, GraphQLObjectType):
                sub = collect(inner, nodes)
                inner_costs: list[str | int] = []
                nested = (
                    None
                    if sub is None
                    else spec.of._expression(
                        inner, sub, collect, namespace, needed, loads, inner_costs
                    )
                )
                if nested is None:
                    return None
                if spec.unless_null is not None:
                    needed.add(spec.unless_null)
                    present = f"r[{bind(namespace, 'n', spec.unless_null)}]"
                    null = "GiveUp.now()" if non_null else "None"
                    nested = f"({null} if {present} is None else {nested})"
                    costs.append(f"(0 if {present} is None else {total(inner_costs)})")
                else:
                    costs.extend(inner_costs)
                items.append(f"{key}: {nested}")
            elif isinstance(spec, Fetched):
                fetched = self._fetched(spec, inner, non_null, nodes, collect, namespace, loads)
                if fetched is None:
                    return None
                needed.add(spec.key)
                needed.update(spec.reads)
                items.append(f"{key}: {fetched[0]}")
                costs.append(fetched[1])
            else:
                return None
        return "{" + ", ".join(items) + "}"

    @staticmethod
    def _fetched(
        spec: Fetched,
        type_: Any,
        non_null: bool,
        nodes: list[FieldNode],
        collect: Collect,
        namespace: dict[str, Any],
        loads: list[Load],
    ) -> tuple[str, str] | None:
        """The expression of a field read by a statement of its own (see `Fetched`), and
        of its cost."""
        slot = str(next(_SLOTS))
        found = f"d[{bind(namespace, 's', slot)}].get(r[{bind(namespace, 'n', spec.key)}]"
        if isinstance(spec.of, Column):  # a value, read from its key's row
            if spec.many or not is_leaf_type(type_) or any(n.selection_set for n in nodes):
                return None
            loads.append(Load(slot, spec.key, spec, spec.of.names, ()))
            read, absent = bind(namespace, "f", spec.of.value), bind(namespace, "a", spec.absent)
            value = f"({absent} if (x := {found})) is None else {read}(x))"
            return completed(Leaf(type_, non_null), value, namespace), "0"
        item = type_
        if spec.many:  # [T!]! only: a null in the list is the resolver's to say
            if not (non_null and isinstance(type_, GraphQLList)):
                return None
            item = type_.of_type
            if not isinstance(item, GraphQLNonNull):
                return None
            item = item.of_type
        if not isinstance(item, GraphQLObjectType) or item.name != type_name(spec.of):
            return None
        sub = collect(item, nodes)
        compiled = None if sub is None else spec.of.compile(item, sub, collect)
        if compiled is None:
            return None
        loads.append(Load(slot, spec.key, spec, tuple(sorted(compiled.columns)), compiled.loads))
        write = bind(namespace, "w", compiled.write)
        cost = bind(namespace, "q", compiled.cost)
        if spec.many:
            return (
                f"[{write}(x, d) for x in {found}, ())]",
                f"sum([{cost}(x, d) for x in {found}, ())])",
            )
        null = "GiveUp.now()" if non_null else "None"
        return (
            f"({null} if (x := {found})) is None else {write}(x, d))",
            f"(0 if (x := {found})) is None else {cost}(x, d))",
        )

    @staticmethod
    def _leaf(
        spec: Column, type_: Any, non_null: bool, namespace: dict[str, Any], needed: set[str]
    ) -> str:
        needed.update(spec.names)
        values = ", ".join(f"r[{bind(namespace, 'n', name)}]" for name in spec.names)
        if spec.read is not None:
            values = f"{bind(namespace, 'f', spec.read)}({values})"
        return completed(Leaf(type_, non_null), values, namespace)


_SLOTS = itertools.count()
_NOTHING: Mapping[str, Any] = types.MappingProxyType({})


def type_name(rows: RowType[Any]) -> str:
    """The GraphQL name of the strawberry type `rows` reads."""
    return str(rows.cls.__strawberry_definition__.name)  # type: ignore[attr-defined]
