"""The schema as code: the committed SDL, error masking, and limits before resolvers.

The masking tests build the schema with one extra query type whose resolver fails
the way a bug would (RuntimeError): no field of the real schema fails on purpose.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import strawberry
from graphql import GraphQLError

from resolvers.core.errors import DomainError, Forbidden
from schema import MASKED_MESSAGE, build_schema, is_expected, schema
from services.config import Settings
from services.logs import request_id_var

SDL_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_sdl_matches_the_code():
    committed = SDL_FILE.read_text(encoding="utf-8")
    assert committed == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `make schema` and commit it"
    )


def test_production_build_prints_the_same_sdl(settings):
    production = build_schema(settings.with_(environment="production"))
    assert production.as_str() == schema.as_str()


async def test_schema_endpoint_serves_the_committed_sdl_in_development(api):
    response = await api.http.get("/schema.graphql")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == SDL_FILE.read_text(encoding="utf-8")


# --- Unexpected errors ------------------------------------------------------------------

calls: list[str] = []


@strawberry.type
class Faulty:
    @strawberry.field
    def broken(self) -> int | None:
        calls.append("broken")
        raise RuntimeError("connection string postgres://secret@db")

    @strawberry.field
    def refused(self) -> int | None:
        calls.append("refused")
        raise Forbidden()

    @strawberry.field
    def numbers(self) -> list[int]:
        calls.append("numbers")
        return [1, 2, 3]


def faulty_schema(settings: Settings, **changes: object) -> strawberry.Schema:
    return build_schema(settings.with_(**changes), extra_queries=(Faulty,))


def test_is_expected_tells_domain_errors_from_bugs():
    assert is_expected(GraphQLError("Cannot query field 'x' on type 'Query'."))
    assert is_expected(GraphQLError("Non.", original_error=Forbidden()))
    assert is_expected(GraphQLError("Non.", original_error=DomainError("Non.")))
    assert not is_expected(GraphQLError("boom", original_error=RuntimeError("boom")))
    assert not is_expected(GraphQLError("boom", original_error=KeyError("id")))


async def test_unexpected_errors_are_masked_in_production_and_logged_with_request_id(
    settings, caplog
):
    production = faulty_schema(settings, environment="production")
    token = request_id_var.set("req-masking-0001")
    try:
        with caplog.at_level(logging.ERROR, logger="passage.graphql"):
            result = await production.execute("{ broken refused }")
    finally:
        request_id_var.reset(token)

    assert result.data == {"broken": None, "refused": None}
    by_path = {tuple(error.path or ()): error.formatted for error in result.errors or []}
    assert by_path[("broken",)]["message"] == MASKED_MESSAGE
    assert by_path[("broken",)]["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": "req-masking-0001",
    }
    assert "secret" not in str(by_path)
    # Domain errors keep their message and code.
    assert by_path[("refused",)]["message"] == "Action non autorisée."
    assert by_path[("refused",)]["extensions"] == {"code": "FORBIDDEN"}

    [record] = [r for r in caplog.records if r.name == "passage.graphql"]
    assert record.fields == {"request_id": "req-masking-0001"}
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


async def test_unexpected_errors_keep_their_message_in_development(settings, caplog):
    development = faulty_schema(settings)
    with caplog.at_level(logging.ERROR, logger="passage.graphql"):
        result = await development.execute("{ broken }")
    [error] = result.errors or []
    assert error.message == "connection string postgres://secret@db"
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": "-"}
    assert len([r for r in caplog.records if r.name == "passage.graphql"]) == 1


# --- Limits are checked before any resolver runs ------------------------------------------


@pytest.mark.parametrize(
    ("query", "changes", "code"),
    [
        ("{ numbers refused }", {"max_query_cost": 1}, "QUERY_TOO_COSTLY"),
        ("{ a: numbers b: refused }", {"max_aliases": 1}, "TOO_MANY_ALIASES"),
        ("{ numbers refused }", {"max_tokens": 3}, "TOO_MANY_TOKENS"),
        ("query A { numbers } query B { refused }", {"max_operations": 1}, "TOO_MANY_OPERATIONS"),
    ],
)
async def test_a_refused_document_runs_no_resolver(settings, query, changes, code):
    calls.clear()
    result = await faulty_schema(settings, **changes).execute(query)
    assert result.data is None
    [error] = result.errors or []
    assert error.extensions
    assert error.extensions["code"] == code
    assert calls == []


async def test_just_under_the_limits_resolvers_run(settings):
    calls.clear()
    tight = faulty_schema(
        settings, max_query_cost=2, max_aliases=2, max_tokens=14, max_operations=2
    )
    result = await tight.execute(
        "query A { a: numbers } query B { b: numbers }", operation_name="B"
    )
    assert result.data == {"b": [1, 2, 3]}
    assert result.extensions == {
        "cost": {"requestedQueryCost": 1, "actualQueryCost": 1, "maxQueryCost": 2}
    }
    assert calls == ["numbers"]
