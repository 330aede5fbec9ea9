"""How a request past a limit, or refused before execution, is told: a GraphQL error
with `extensions.code` (and, for a measure, its value and limit)."""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    parse,
)

REPORTED_AT_MOST = 2**53 - 1

TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
TOO_MANY_OPERATIONS = "TOO_MANY_OPERATIONS"
QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_REPEATS = "TOO_MANY_REPEATED_FIELDS"
TOO_MANY_DIRECTIVES = "TOO_MANY_DIRECTIVES"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"


def refusal(message: str, code: str, **extra: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extra})


_OVER = {
    "operations": "Too many operations in one document",
    "depth": "Query too deep (levels of nested fields)",
    "aliases": "Too many aliases",
    "pairs": "Too many fields asked again under one name (pairs to compare)",
    "directives": "Too many directives",
    "cost": "Query too costly; ask for smaller pages",
}


def over_limit(measure: str, value: int, limit: int, code: str) -> GraphQLError:
    """E.g. extensions {"code": "QUERY_TOO_DEEP", "depth": 12, "maxDepth": 10}."""
    value = min(value, REPORTED_AT_MOST)  # fragments spread 2^40 times: keep it a JSON number
    return refusal(
        f"{_OVER[measure]}: {value} > {limit}.",
        code,
        **{measure: value, f"max{measure.capitalize()}": limit},
    )


def tagged(error: GraphQLError, code: str) -> GraphQLError:
    if not (error.extensions or {}).get("code"):
        error.extensions = {**(error.extensions or {}), "code": code}
    return error


_TYPENAME = parse("{__typename}").definitions[0]


def stand_in(operation_name: str | None) -> DocumentNode:
    """A document with the operation the request names, for a request refused unparsed."""
    assert isinstance(_TYPENAME, OperationDefinitionNode)
    name = None if operation_name is None else NameNode(value=operation_name)
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        name=name,
        variable_definitions=(),
        directives=(),
        selection_set=_TYPENAME.selection_set,
    )
    return DocumentNode(definitions=(operation,))
