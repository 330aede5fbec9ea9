"""Integers and dates past what the columns hold: user errors for a mutation, BAD_USER_INPUT
for a query, never an internal error (schema/engine/bounds.py).

The walks below go through every Int, Date and DateTime of every mutation input and every
query argument of the schema, one at a time, so a new field is covered the day it appears.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    build_schema,
    get_named_type,
)

from models.enums import Role
from schema import schema as passage_schema
from tests import factories
from tests.factories import office

SCHEMA = build_schema(passage_schema.as_str())
BOUNDED = ("Int", "Date", "DateTime")
# Just past each end of what the columns hold, and the largest value GraphQL itself allows.
PAST: dict[str, list[Any]] = {
    "Int": [32768, -32769, 2**31 - 1],
    "Date": ["2200-01-01", "1899-12-31", "9999-12-31"],
    "DateTime": ["2200-01-01T00:00:00+00:00", "1899-12-31T23:00:00+00:00", "9999-12-31T23:59:59Z"],
}
SANE: dict[str, Any] = {
    "String": "x",
    "ID": "x",
    "Boolean": True,
    "Float": 1.5,
    "Int": 5,
    "Date": "2031-03-03",
    "DateTime": "2031-03-03T09:00:00+01:00",
    "Time": "09:00:00",
}

Path = tuple[str, ...]


def _leaves(type_: GraphQLInputType, path: Path, depth: int = 0) -> Iterator[tuple[Path, str]]:
    """Every (path, scalar name) of a bounded scalar reachable in a value of `type_`."""
    named = get_named_type(type_)
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        yield from _leaves(inner.of_type, (*path, "0"), depth + 1)
    elif isinstance(named, GraphQLInputObjectType) and depth < 5:
        for name, field in named.fields.items():
            yield from _leaves(field.type, (*path, name), depth + 1)
    elif isinstance(named, GraphQLScalarType) and named.name in BOUNDED:
        yield path, named.name


def _required(field: GraphQLInputField | GraphQLArgument) -> bool:
    return isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined


def _value(type_: GraphQLInputType, target: Path, leaf: Any) -> Any:
    """A value of `type_` that coerces, holding `leaf` at `target` (relative path)."""
    if not target and leaf is not None:
        return leaf
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        return [_value(inner.of_type, target[1:], leaf)]
    if isinstance(inner, GraphQLInputObjectType):
        value = {}
        for name, field in inner.fields.items():
            if target and target[0] == name:
                value[name] = _value(field.type, target[1:], leaf)
            elif _required(field):
                value[name] = _value(field.type, (), None)
        return value
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    assert isinstance(inner, GraphQLScalarType)
    return SANE[inner.name]


def _cases(root: GraphQLObjectType | None) -> Iterator[Any]:
    assert root is not None
    for name, field in root.fields.items():
        for argument, spec in field.args.items():
            for path, scalar in _leaves(spec.type, (argument,)):
                for index, past in enumerate(PAST[scalar]):
                    yield pytest.param(name, path, past, id=f"{name}-{'.'.join(path)}-{index}")


def _call(root: str, name: str, path: Path, past: Any) -> tuple[str, dict[str, Any]]:
    root_type = SCHEMA.mutation_type if root == "mutation" else SCHEMA.query_type
    assert root_type is not None
    field = root_type.fields[name]
    variables = {
        argument: _value(spec.type, path[1:], past)
        if argument == path[0]
        else _value(spec.type, (), None)
        for argument, spec in field.args.items()
        if argument == path[0] or _required(spec)
    }
    heads = ", ".join(f"${a}: {field.args[a].type}" for a in variables)
    arguments = ", ".join(f"{a}: ${a}" for a in variables)
    named = get_named_type(field.type)
    selection = ""
    if isinstance(named, GraphQLObjectType):
        selection = (
            " { userErrors { field message code } }" if root == "mutation" else " { __typename }"
        )
    return f"{root} Past({heads}) {{ {name}({arguments}){selection} }}", variables


@pytest.fixture(scope="module")
async def admin(server, settings, home_agency):
    return await factories.log_in(
        server.api, await factories.staff(settings, home_agency, Role.ADMIN)
    )


@pytest.fixture(scope="module")
async def team(server, settings, mailbox):
    return await office(server.api, settings, mailbox)


def test_the_walks_find_the_fields_of_the_issue():
    mutations = {(c.values[0], c.values[1]) for c in _cases(SCHEMA.mutation_type)}
    queries = {(c.values[0], c.values[1]) for c in _cases(SCHEMA.query_type)}
    assert {
        ("declareAbsence", ("input", "from")),
        ("createRecurringPlan", ("input", "validFrom")),
        ("endRecurringPlan", ("input", "lastDay")),
        ("setOpeningHours", ("input", "spans", "0", "weekday")),
    } <= mutations
    assert ("ratings", ("maxScore",)) in queries
    assert len(mutations) > 40 and len(queries) > 25
    # The rule guards Query and Mutation: a subscription taking a number or a date would
    # need it too.
    assert not list(_cases(SCHEMA.subscription_type))


@pytest.mark.parametrize(("name", "path", "past"), list(_cases(SCHEMA.mutation_type)))
async def test_every_mutation_answers_a_value_past_its_column_with_a_user_error(
    api, admin, name, path, past
):
    document, variables = _call("mutation", name, path, past)
    response = await api.http.post(
        "/graphql",
        json={"query": document, "variables": variables},
        headers={"authorization": f"Bearer {admin}"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert not result.get("errors"), result
    errors = result["data"][name]["userErrors"]
    # The path inside the `input` argument, as every user error gives it.
    field = list(path[1:]) if path[0] == "input" else list(path)
    assert {"field": field, "code": "OUT_OF_RANGE"} in [
        {"field": e["field"], "code": e["code"]} for e in errors
    ], errors


@pytest.mark.parametrize(("name", "path", "past"), list(_cases(SCHEMA.query_type)))
async def test_every_query_refuses_a_value_past_its_column_as_bad_input(
    api, admin, name, path, past
):
    document, variables = _call("query", name, path, past)
    response = await api.http.post(
        "/graphql",
        json={"query": document, "variables": variables},
        headers={"authorization": f"Bearer {admin}"},
    )
    assert response.status_code == 200, response.text
    errors = response.json().get("errors")
    assert errors, response.text
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
    assert errors[0]["extensions"].get("field") == list(path), errors


CREATE_PLAN = """
mutation Plan($input: RecurringPlanInput!) {
  createRecurringPlan(input: $input) { plan { id } userErrors { field code } }
}
"""
END_PLAN = """
mutation End($input: EndRecurringPlanInput!) {
  endRecurringPlan(input: $input) { plan { id } userErrors { field code } }
}
"""
RATINGS = "query R($max: Int) { ratings(maxScore: $max) { edges { node { id } } } }"


async def test_a_plan_from_the_year_9999_or_ending_then_is_a_user_error(api, team):
    plan = {
        "clientId": team.client_id,
        "workerId": team.worker_id,
        "serviceTypeCode": "IRONING",
        "weekday": 0,
        "startTime": "09:00:00",
        "durationMinutes": 120,
        "validFrom": "2031-03-03",  # a Monday
    }
    created = await api.data(CREATE_PLAN, {"input": plan}, token=team.advisor)
    assert created["createRecurringPlan"]["userErrors"] == []
    ended = {"planId": created["createRecurringPlan"]["plan"]["id"], "lastDay": "9999-12-31"}
    result = await api.data(END_PLAN, {"input": ended}, token=team.advisor)
    assert result["endRecurringPlan"] == {
        "plan": None,
        "userErrors": [{"field": ["lastDay"], "code": "OUT_OF_RANGE"}],
    }
    late = {**plan, "validFrom": "9999-12-27"}
    result = await api.data(CREATE_PLAN, {"input": late}, token=team.advisor)
    assert result["createRecurringPlan"] == {
        "plan": None,
        "userErrors": [{"field": ["validFrom"], "code": "OUT_OF_RANGE"}],
    }


async def test_a_score_past_a_small_integer_is_bad_input_and_the_largest_one_is_not(
    api, settings, home_agency
):
    advisor = await factories.log_in(
        api, await factories.staff(settings, home_agency, Role.ADVISOR)
    )
    result = await api.gql(RATINGS, {"max": 2147483647}, token=advisor)
    assert [e["extensions"] for e in result["errors"]] == [
        {"code": "BAD_USER_INPUT", "field": ["maxScore"]}
    ]
    result = await api.gql(RATINGS, {"max": 32767}, token=advisor)
    assert "errors" not in result, result
