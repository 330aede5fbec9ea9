"""A root field's arguments converted as strawberry converts them, by a function built once.

strawberry's `convert_arguments` works the argument types out again on every call: each
argument's name through the name converter, each value's type through a chain of
`isinstance` tests, each input field's GraphQL name and resolved type. A planned page
took 6 % of its CPU there (the day's visits filtered by dates and statuses). Here those
answers are worked out once per field, when the planner plans it, into a function of the
values alone.

The function covers what strawberry does for optional and list types, scalars, enums and
plain input types. Any argument whose type holds something else (`Maybe`, a `GlobalID`,
a lazy type, an input type building its own value) is converted by strawberry's own
`convert_argument`, with the path strawberry gives it, so it is converted exactly as
before. `tests/engine/test_arguments.py` compares both on every argument of the schema.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.schema.config import StrawberryConfig
from strawberry.types.arguments import StrawberryArgument, convert_argument
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.unset import UNSET

Convert = Callable[[Any], Any]
Registry = Mapping[object, Any]


class _Generic(Exception):
    """A type this module leaves to strawberry's `convert_argument`."""


def _same(value: Any) -> Any:
    return value


def _is_leaf(type_: Any, registry: Registry) -> bool:
    """strawberry's leaves: scalars and enum definitions (lazy types are left to it)."""
    return is_scalar(type_, registry) or isinstance(type_, StrawberryEnumDefinition)


def _value(type_: Any, registry: Registry, config: StrawberryConfig) -> Convert:
    """What converts a value of `type_` that is neither None nor UNSET."""
    if isinstance(type_, StrawberryMaybe):
        raise _Generic
    if isinstance(type_, StrawberryOptional):
        return _value(type_.of_type, registry, config)
    if isinstance(type_, StrawberryList):
        item = type_.of_type
        bare = item.of_type if isinstance(item, StrawberryOptional) else item
        if bare is not GlobalID and item is not GlobalID and _is_leaf(bare, registry):
            # strawberry copies the list: graphql-core gives the same default to every
            # request that omits the value.
            return list
        convert_item = _converter(item, registry, config)
        return lambda value: [convert_item(x) for x in value]
    if type_ is GlobalID:
        raise _Generic
    if _is_leaf(type_, registry) or has_enum_definition(type_):
        return _same
    if has_object_definition(type_):
        return _input(type_, registry, config)
    raise _Generic  # a lazy type, or one strawberry refuses: it says so itself


def _converter(type_: Any, registry: Registry, config: StrawberryConfig) -> Convert:
    """What converts any value of `type_`: None and UNSET stay as they are."""
    convert = _value(type_, registry, config)
    if convert is _same:
        return _same

    def converted(value: Any) -> Any:
        if value is None or value is UNSET:
            return value
        return convert(value)

    return converted


def _input(cls: Any, registry: Registry, config: StrawberryConfig) -> Convert:
    definition = cls.__strawberry_definition__
    if definition.from_input is not None:
        raise _Generic
    defaults: dict[str, Any] = {}
    if definition.is_input:
        defaults = {
            field.python_name: None
            for field in definition.fields
            if field.default_value is dataclasses.MISSING
            and field.default_factory is dataclasses.MISSING
        }
    fields = tuple(
        (
            config.name_converter.from_field(field),
            field.python_name,
            _converter(field.resolve_type(type_definition=definition), registry, config),
        )
        for field in definition.fields
    )

    def build(value: Mapping[str, Any]) -> Any:
        kwargs = dict(defaults)
        for name, python_name, convert in fields:
            if name in value:
                kwargs[python_name] = convert(value[name])
        return cls(**kwargs)

    return build


def compile_arguments(
    arguments: Sequence[StrawberryArgument], registry: Registry, config: StrawberryConfig
) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A function doing what `convert_arguments(values, arguments, registry, config)` does."""
    steps: list[tuple[str, str, Convert]] = []
    for argument in arguments:
        assert argument.python_name
        name = config.name_converter.from_argument(argument)
        try:
            convert = _converter(argument.type, registry, config)
        except _Generic:
            convert = _generic(argument.type, name, registry, config)
        steps.append((name, argument.python_name, convert))

    def convert_all(values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            python_name: convert(values[name])
            for name, python_name, convert in steps
            if name in values
        }

    return convert_all


def _generic(type_: Any, name: str, registry: Registry, config: StrawberryConfig) -> Convert:
    def converted(value: Any) -> Any:
        return convert_argument(value, type_, registry, config, None, path=(name,))

    return converted
