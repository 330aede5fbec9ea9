"""Hostile documents, refused before validation runs: each with one error, and cheaply.

The costs themselves are measured by `make attack` (tests/attack/long_run.py), as ratios to
`{me{id}}`; here each document is refused with the right code, at every operation name.
"""

from __future__ import annotations

import pytest

from schema import schema
from schema.engine import limits as limits_module
from tests.web.factories import code_of, production

REPEATED = "query u%d {" + " ".join(["me{id} me{email}"] * 245) + "}"


@pytest.fixture(scope="module")
async def prod(start, settings):
    running = await start(production(settings))
    yield running.api
    await running.stop()


@pytest.mark.parametrize("number", [1, 2, 3])
async def test_a_field_repeated_under_one_name_is_refused_whatever_the_operation_name(api, number):
    result = await api.gql(REPEATED % number)
    assert code_of(result) == "TOO_MANY_REPEATED_FIELDS"
    assert result["data"] is None
    assert len(result["errors"]) == 1


async def test_the_same_field_490_times_is_refused_with_one_error(api):
    result = await api.gql("{" + " me{id}" * 490 + "}")
    assert code_of(result) == "TOO_MANY_REPEATED_FIELDS"
    assert len(result["errors"]) == 1


async def test_the_repeat_budget_is_met_exactly_then_passed_by_one(api):
    # 20 x __typename: 190 pairs, and 5 x me: 10 more, 200 in all (MAX_FIELD_PAIRS).
    at_limit = "{" + " __typename" * 20 + " me{id}" * 5 + "}"
    result = await api.gql(at_limit)
    assert not result.get("errors"), result
    result = await api.gql("{" + " __typename" * 20 + " me{id}" * 6 + "}")
    assert code_of(result) == "TOO_MANY_REPEATED_FIELDS"
    assert result["errors"][0]["extensions"]["pairs"] == 205
    assert result["errors"][0]["extensions"]["maxPairs"] == 200


async def test_repeats_hidden_in_fragments_are_counted_once_parsed(api):
    fragments = " ".join(f"...F{i}" for i in range(30))
    defined = " ".join(f"fragment F{i} on Query {{ me {{ id }} }}" for i in range(30))
    result = await api.gql(f"{{ {fragments} }} {defined}")
    assert code_of(result) == "TOO_MANY_REPEATED_FIELDS"


async def test_directives_are_counted_and_met_exactly(api):
    twenty = "{" + " __typename @include(if: true) @skip(if: false)" * 10 + "}"
    assert not (await api.gql(twenty)).get("errors")
    result = await api.gql("{" + " __typename @include(if: true) @skip(if: false)" * 11 + "}")
    assert code_of(result) == "TOO_MANY_DIRECTIVES"
    result = await api.gql("{__typename " + "@x " * 650 + "}")
    assert code_of(result) == "TOO_MANY_DIRECTIVES"
    assert len(result["errors"]) == 1


async def test_directive_overloading_answers_one_error_in_production(prod):
    # graphql-cop's probe: ten unknown directives used to be answered with ten errors.
    result = await prod.gql("query { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")
    assert len(result["errors"]) == 1
    assert code_of(result) == "GRAPHQL_VALIDATION_FAILED"
    repeated = await prod.gql("query { __typename @include(if: true) @include(if: true) }")
    assert len(repeated["errors"]) == 1


async def test_a_valid_document_is_validated_once_whatever_its_operation_name():
    graphql_schema = schema._schema
    limits = schema.limits
    assert limits is not None
    first = limits.parse("query FirstName { __typename me { id } }")
    assert limits.validation_errors(graphql_schema, first, ()) == []
    misses = limits_module._validate.cache_info().misses
    renamed = limits.parse("query OtherName { __typename me { id } }")
    assert limits.validation_errors(graphql_schema, renamed, ()) == []
    assert limits_module._validate.cache_info().misses == misses
