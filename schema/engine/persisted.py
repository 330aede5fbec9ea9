"""Persisted documents, the Apollo convention: `extensions.persistedQuery {version, sha256Hash}`.

- Hash alone: the registered document runs (over GET too, for queries); unknown hash:
  `PERSISTED_QUERY_NOT_FOUND` (message `PersistedQueryNotFound`, which Apollo clients
  answer by sending the text with its hash).
- Text and hash: the hash must be the text's SHA-256. With AUTOMATIC_PERSISTED_QUERIES
  on and PERSISTED_DOCUMENTS=open the document is registered (automatic persisted
  queries); otherwise it runs only if registered, or if the caller may send any text.
- PERSISTED_DOCUMENTS=anonymous-only: anonymous callers run registered documents only
  (`PERSISTED_QUERY_REQUIRED` for anything else); `only`: every caller does. Documents are
  then registered explicitly: `registerPersistedDocuments` (ADMIN) or `passage
  register-documents` from a manifest.

The hash is resolved in `on_operation`, before parsing, so the rest of the pipeline
(limits, cost, buckets) sees the document as if its text had been sent.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSchema, specified_rules
from strawberry.extensions import SchemaExtension

from resolvers.core import guards, persisted
from resolvers.core.persisted import AUTOMATIC, HASH, DocumentStore, sha256_of
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Info
from schema.engine.limits import Limits
from schema.engine.refusals import stand_in
from services.config import Settings

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
REQUIRED = "PERSISTED_QUERY_REQUIRED"
INVALID = "PERSISTED_QUERY_INVALID"
MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"


class PersistedPolicy:
    """Which callers may send text, and whether sent documents are registered."""

    def __init__(self, settings: Settings) -> None:
        self.mode = settings.persisted_documents
        self.automatic = settings.automatic_persisted_queries and self.mode == "open"
        self.store = DocumentStore(settings.persisted_cache_size)

    def restricts(self, context: Any) -> bool:
        """Whether this caller may run registered documents only."""
        if self.mode == "only":
            return True
        anonymous = (
            getattr(context, "maybe_viewer", None) is None
            and getattr(context, "api_key_id", None) is None
        )
        return self.mode == "anonymous-only" and anonymous


def hash_requested(extensions: Any) -> Any:
    """The `persistedQuery` object of a request's extensions, if any."""
    return extensions.get("persistedQuery") if isinstance(extensions, dict) else None


def _refusal(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


class PersistedQueries(SchemaExtension):
    def __init__(self, policy: PersistedPolicy) -> None:
        self.policy = policy
        # Sent with its hash, to register once it has passed the limits and validation.
        self.to_register: str | None = None

    # Both hooks act on entering their stage only: plain coroutines, no generator each.
    async def on_operation(self) -> None:  # type: ignore[override]
        ec = self.execution_context
        try:
            refusal = await self._resolve()
        except GraphQLError as error:
            refusal = error
        if refusal is not None:
            # Answered with the refusal, as if validation had found it (schema/engine/limits.py
            # keeps errors set before it); nothing is parsed, costed or charged.
            ec.query = None
            ec.graphql_document = stand_in(ec.operation_name)
            ec.pre_execution_errors = [refusal]

    async def _resolve(self) -> GraphQLError | None:
        ec = self.execution_context
        requested = hash_requested(ec.operation_extensions)
        restricted = self.policy.restricts(ec.context)
        store = self.policy.store
        if requested is None:
            if restricted and (not ec.query or await store.find(sha256_of(ec.query)) is None):
                return _refusal("Only registered documents are accepted here.", REQUIRED)
            return None
        if not isinstance(requested, dict) or requested.get("version") != 1:
            return _refusal("Unsupported persisted query version (1 only).", INVALID)
        sha256 = requested.get("sha256Hash")
        if not isinstance(sha256, str) or not HASH.match(sha256):
            return _refusal("sha256Hash must be 64 lower-case hexadecimal digits.", INVALID)
        if ec.query is None:
            found = await store.find(sha256)
            if found is None:
                return _refusal("PersistedQueryNotFound", NOT_FOUND)
            ec.query = found
            return None
        if sha256_of(ec.query) != sha256:
            return _refusal("provided sha does not match query", MISMATCH)
        if self.policy.automatic:
            if persisted.document_problem(ec.query) is None:
                self.to_register = ec.query
        elif restricted and await store.find(sha256) is None:
            return _refusal("PersistedQueryNotFound", NOT_FOUND)
        return None

    async def on_execute(self) -> None:  # type: ignore[override]
        # Reached only by a document that passed every limit and validation.
        if self.to_register is not None:
            ec = self.execution_context
            await self.policy.store.register(self.to_register, AUTOMATIC, _account_id(ec.context))


def _account_id(context: Any) -> int | None:
    viewer = getattr(context, "maybe_viewer", None)
    return None if viewer is None else int(viewer.account_id)


def document_problems(schema: GraphQLSchema, limits: Limits, bodies: list[str]) -> list[str | None]:
    """Per document, why it cannot be registered: over the limits, bad syntax, not valid."""
    problems: list[str | None] = []
    for body in bodies:
        problem = persisted.document_problem(body)
        if problem is None:
            try:
                document = limits.parse(body)
                walker = limits.walker(schema, document, {})
                errors = limits.shape_errors(document, walker) or limits.validation_errors(
                    schema, document, tuple(specified_rules)
                )
            except (GraphQLError, RecursionError) as error:
                errors = [error if isinstance(error, GraphQLError) else GraphQLError("Too deep.")]
            problem = errors[0].message if errors else None
        problems.append(problem)
    return problems


@strawberry.input(description="Documents whose text partners and front ends send by hash.")
class RegisterPersistedDocumentsInput:
    documents: list[str] = strawberry.field(
        description="1 to 100 documents, each valid against the current schema."
    )


@strawberry.type(description="A registered document: send its hash as persistedQuery.")
class PersistedDocument:
    sha256_hash: str


@strawberry.type
class RegisterPersistedDocumentsPayload:
    documents: list[PersistedDocument]
    user_errors: list[UserErrorType]


@strawberry.type
class PersistedDocumentMutations:
    @strawberry.mutation(
        description="Registers documents so callers may send their SHA-256 instead of their "
        "text (ADMIN). All or none: nothing is registered if one is refused."
    )
    async def register_persisted_documents(
        self, info: Info, input: RegisterPersistedDocumentsInput
    ) -> RegisterPersistedDocumentsPayload:
        guards.admin(info.context.viewer)  # before any document is looked at
        built: Any = info.schema
        bodies = list(input.documents)
        problems: list[str | None] = [None] * len(bodies)
        if len(bodies) <= persisted.MAX_DOCUMENTS:
            problems = document_problems(built._schema, built.limits, bodies)
        result = await persisted.register_for_admin(
            built.persisted.store, info.context.viewer, bodies, problems
        )
        return RegisterPersistedDocumentsPayload(
            documents=[PersistedDocument(sha256_hash=sha) for sha in result.hashes],
            user_errors=user_errors(result.user_errors),
        )
