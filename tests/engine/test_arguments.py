"""schema/engine/arguments.py against strawberry's own `convert_arguments`, on every
argument of every field of the schema's types, with values drawn by hypothesis.

Leaves (scalars, enums) pass through both unchanged, so a leaf is any object here; what
is compared is the shape both build around them: input objects, lists, None and UNSET.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.types.arguments import convert_arguments
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.unset import UNSET

from schema import schema
from schema.engine.arguments import compile_arguments

REGISTRY = schema.schema_converter.scalar_registry
CONFIG = schema.config


def _fields() -> list[tuple[str, Any, Any]]:
    """(type.field, strawberry field, graphql-core field) of every field with arguments."""
    found = []
    for type_ in schema._schema.type_map.values():
        definition = getattr(type_, "extensions", {}).get("strawberry-definition")
        if not isinstance(definition, StrawberryObjectDefinition) or definition.is_input:
            continue
        for field in definition.fields:
            name = CONFIG.name_converter.get_graphql_name(field)
            graphql_field = type_.fields.get(name)  # type: ignore[attr-defined]
            if field.arguments and graphql_field is not None:
                found.append((f"{type_.name}.{name}", field, graphql_field))
    return found


FIELDS = _fields()


class Leaf:
    """A scalar's or an enum's value: both pass it on as it is."""

    def __init__(self, number: int) -> None:
        self.number = number

    def __repr__(self) -> str:
        return f"Leaf({self.number})"


def _values(type_: GraphQLInputType, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of `type_` as graphql-core gives them to strawberry (a null where allowed)."""
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, depth)
    return st.one_of(st.none(), _value(type_, depth))


def _value(type_: Any, depth: int) -> st.SearchStrategy[Any]:
    if isinstance(type_, (GraphQLScalarType, GraphQLEnumType)):
        return st.integers(0, 9).map(Leaf)
    if isinstance(type_, GraphQLList):
        return st.lists(_values(type_.of_type, depth + 1), max_size=3)
    assert isinstance(type_, GraphQLInputObjectType)
    if depth > 3:
        return st.just({})
    members = {name: _values(field.type, depth + 1) for name, field in type_.fields.items()}
    required = {
        name: members[name]
        for name, field in type_.fields.items()
        if isinstance(field.type, GraphQLNonNull)
    }
    optional = {name: members[name] for name in members if name not in required}
    return st.fixed_dictionaries(required, optional=optional)


def _arguments(graphql_field: Any) -> st.SearchStrategy[dict[str, Any]]:
    required = {
        name: _values(argument.type)
        for name, argument in graphql_field.args.items()
        if isinstance(argument.type, GraphQLNonNull)
    }
    optional = {
        name: _values(argument.type)
        for name, argument in graphql_field.args.items()
        if name not in required
    }
    return st.fixed_dictionaries(required, optional=optional)


def test_every_field_with_arguments_is_compared():
    names = {name for name, _, _ in FIELDS}
    assert {"Query.interventions", "Query.pendingChangeRequests", "Query.helpArticles"} <= names
    assert len(FIELDS) > 50


@pytest.mark.parametrize(("name", "field", "graphql_field"), FIELDS, ids=[f[0] for f in FIELDS])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_arguments_are_converted_as_strawberry_converts_them(name, field, graphql_field, data):
    values = data.draw(_arguments(graphql_field))
    try:
        expected: Any = convert_arguments(values, field.arguments, REGISTRY, CONFIG)
    except Exception as error:  # the same error, from the same place
        with pytest.raises(type(error)):
            compile_arguments(field.arguments, REGISTRY, CONFIG)(values)
        return
    converted = compile_arguments(field.arguments, REGISTRY, CONFIG)(values)
    assert converted == expected
    assert repr(converted) == repr(expected)  # the same types all the way down


def test_an_omitted_list_is_copied_not_shared():
    # graphql-core gives every request the same default list: a resolver's change to it
    # must not reach the next request.
    field = next(f for n, f, _ in FIELDS if n == "Query.interventions")
    convert = compile_arguments(field.arguments, REGISTRY, CONFIG)
    statuses = [Leaf(1)]
    filters = convert({"filter": {"status": statuses}})["filter"]
    assert filters.status == statuses and filters.status is not statuses


def test_unset_and_null_stay_as_they_are():
    field = next(f for n, f, _ in FIELDS if n == "Query.interventions")
    convert = compile_arguments(field.arguments, REGISTRY, CONFIG)
    assert convert({"filter": None, "after": UNSET}) == convert_arguments(
        {"filter": None, "after": UNSET}, field.arguments, REGISTRY, CONFIG
    )
