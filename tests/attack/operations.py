"""Every operation of the schema, called with values made from its argument types.

Used by `make attack` (tests/attack/long_run.py) for two families: hostile values in
every argument (a fixed budget of cases per operation and role, as schemathesis would
draw them), and the IDOR matrix (every operation taking an id, given the ids of another
agency's or another household's objects).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
)

# Plain values, optional arguments left out: the IDOR matrix's case, where only ids vary.
SANE = {"String": "Bonjour", "ID": "", "Int": 5, "Date": "2030-01-07"}
# One value per scalar for each kind of hostile case.
HOSTILE: dict[str, dict[str, Any]] = {
    "nul": {"String": "a\x00b", "ID": "a\x00b", "Int": 0, "Date": "2030-01-07"},
    "long": {"String": "é" * 20_000, "ID": "x" * 5_000, "Int": -1, "Date": "2030-01-07"},
    "big": {"String": "1", "ID": "0", "Int": 2**31 - 1, "Date": "9999-12-31"},
    "small": {"String": "", "ID": "", "Int": -(2**31), "Date": "0001-01-01"},
    "garbage": {
        "String": "'; --",
        "ID": "QWNjb3VudDoxOTk5OTk5OTk5",
        "Int": 7,
        "Date": "2030-02-30",
    },
}
DATETIME = {
    "nul": "2030-01-07T09:00:00+01:00",
    "long": "2030-01-07T09:00:00",
    "big": "9999-12-31T23:59:59+00:00",
    "small": "0001-01-01T00:00:00+00:00",
    "garbage": "2030-13-45T99:00:00",
}


@dataclass(frozen=True)
class Call:
    root: str  # "query" or "mutation"
    name: str
    document: str
    variables: dict[str, Any]


def _value(
    type_: GraphQLInputType,
    case: str,
    id_for: Callable[[str], str | None],
    name: str,
    depth: int = 0,
) -> Any:
    nullable = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if (
        case == "sane"
        and nullable is type_
        and not (get_named_type(type_).name == "ID" and id_for(name) is not None)
    ):
        return None
    if isinstance(nullable, GraphQLList):
        return [_value(nullable.of_type, case, id_for, name, depth + 1)]
    if isinstance(nullable, GraphQLInputObjectType):
        if depth > 4:
            return {}
        return {
            field_name: _value(field.type, case, id_for, field_name, depth + 1)
            for field_name, field in nullable.fields.items()
        }
    if isinstance(nullable, GraphQLEnumType):
        return next(iter(nullable.values))
    assert isinstance(nullable, GraphQLScalarType)
    scalar = nullable.name
    if scalar == "ID":
        found = id_for(name)
        if found is not None:
            return found
    if scalar == "Boolean":
        return True
    if scalar == "Float":
        return 1e308
    values = SANE if case == "sane" else HOSTILE[case]
    if scalar == "DateTime":
        return DATETIME.get(case, "2030-01-07T09:00:00+01:00")
    return values.get(scalar, values["String"])


def _selection(field: GraphQLField) -> str:
    """`__typename`, plus what tells whether anything was found or done."""
    named = get_named_type(field.type)
    if is_leaf_type(named):
        return ""
    parts = ["__typename"]
    if isinstance(named, GraphQLObjectType):
        if "edges" in named.fields:
            parts.append("edges { __typename }")
        if "userErrors" in named.fields:
            parts.append("userErrors { code }")
    return " { " + " ".join(parts) + " }"


def calls(
    schema: GraphQLSchema,
    case: str,
    id_for: Callable[[str], str | None] = lambda _: None,
    only_with_ids: bool = False,
) -> Iterator[Call]:
    """One call per root field of Query and Mutation, every argument given."""
    for root, type_ in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert isinstance(type_, GraphQLObjectType)
        for name, field in type_.fields.items():
            if only_with_ids and not _takes_id(field):
                continue
            definitions = ", ".join(f"${a}: {arg.type}" for a, arg in field.args.items())
            arguments = ", ".join(f"{a}: ${a}" for a in field.args)
            head = f"{root} Op({definitions})" if definitions else root
            call = f"{name}({arguments})" if arguments else name
            yield Call(
                root,
                name,
                f"{head} {{ {call}{_selection(field)} }}",
                {a: _value(arg.type, case, id_for, a) for a, arg in field.args.items()},
            )


def _takes_id(field: GraphQLField) -> bool:
    pending: list[Any] = [arg.type for arg in field.args.values()]
    seen: set[str] = set()
    while pending:
        named = get_named_type(pending.pop())
        if named.name == "ID":
            return True
        if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
            seen.add(named.name)
            pending.extend(f.type for f in named.fields.values())
    return False
