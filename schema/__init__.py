"""The GraphQL schema: domain types merged into Query and Mutation, plus the limits.

`schema` is the development build, used to print `schema.graphql`; the app
builds its own from settings with `build_schema` (same SDL, other limits).
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from resolvers.errors import DomainError
from schema.accounts import AccountMutations, AccountQueries
from schema.limits import QueryLimits
from schema.nodes import NodeQueries
from schema.sessions import SessionMutations, SessionQueries
from schema.staff import StaffMutations, StaffQueries
from services.config import Settings

log = logging.getLogger("passage.graphql")

Query = merge_types("Query", (AccountQueries, SessionQueries, StaffQueries, NodeQueries))
Mutation = merge_types("Mutation", (AccountMutations, SessionMutations, StaffMutations))


def is_expected(error: GraphQLError) -> bool:
    """Validation errors and our own domain errors are for the caller to see."""
    original = error.original_error
    return original is None or isinstance(original, DomainError | GraphQLError)


class PassageSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if not is_expected(error):
                log.error("unexpected error at %s", error.path, exc_info=error.original_error)


def build_schema(settings: Settings | None = None) -> PassageSchema:
    settings = settings or Settings()
    # Rule classes made once, so ValidationCache can key on them across requests.
    rules: list[Any] = [
        depth_rule(settings.max_query_depth, None, None),
        alias_rule(settings.max_aliases),
    ]
    extensions: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=512),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=512),
        lambda: QueryLimits(
            max_operations=settings.max_operations,
            max_cost=settings.max_query_cost,
            introspection=settings.introspection,
        ),
    ]
    if settings.production:
        extensions.append(
            lambda: MaskErrors(
                should_mask_error=lambda error: not is_expected(error),
                error_message="Erreur inattendue.",
            )
        )
    return PassageSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=settings.production,
        ),
    )


schema = build_schema()
