"""The GraphQL schema: domain types merged into Query and Mutation, plus the limits.

`schema` is the development build, used to print `schema.graphql`; the app
builds its own from settings with `build_schema` (same SDL, other limits).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from resolvers.core.errors import DomainError
from schema.accounts.accounts import AccountMutations, AccountQueries
from schema.accounts.sessions import SessionMutations, SessionQueries
from schema.agency.identity import AgencyIdentityMutations
from schema.agency.policy import PolicyMutations, PolicyQueries
from schema.agency.staff import StaffMutations, StaffQueries
from schema.billing.mandates import MandateMutations, MandateQueries
from schema.billing.operations import BillingMutations, BillingQueries
from schema.billing.rules import BillingRuleMutations
from schema.billing.subscriptions import BillingSubscriptions
from schema.billing.urssaf import UrssafMutations, UrssafQueries
from schema.care.callbacks import CallbackMutations, CallbackQueries, CallbackSubscriptions
from schema.care.claims import ClaimMutations, ClaimQueries, ClaimSubscriptions
from schema.care.settings import CareMutations, CareQueries
from schema.core.clock import ClockQueries
from schema.core.nodes import NodeQueries
from schema.engine.bounds import guard
from schema.engine.connection import OneConnection
from schema.engine.edge import (
    OUT_OF_RANGE,
    UNAVAILABLE,
    is_data_exception,
    is_unavailable,
)
from schema.engine.execution import FastExecutionContext
from schema.engine.limits import Limits
from schema.engine.persisted import PersistedDocumentMutations, PersistedPolicy, PersistedQueries
from schema.engine.planner import Planner
from schema.engine.runner import HookRunner
from schema.engine.throttle import CostThrottle, Throttle
from schema.help.mutations import HelpMutations
from schema.help.queries import HelpQueries
from schema.households.absences import AbsenceMutations, AbsenceQueries
from schema.households.contact import ContactMutations, ContactQueries
from schema.households.notes import HouseholdMutations, HouseholdQueries
from schema.messaging.conversations import MessageMutations, MessageQueries
from schema.messaging.subscriptions import MessageSubscriptions
from schema.partners.access import PartnerAccess
from schema.partners.mutations import PartnerMutations
from schema.partners.queries import PartnerQueries
from schema.partners.webhooks import WebhookMutations, WebhookQueries
from schema.privacy.profile import ProfileMutations, ProfileQueries
from schema.privacy.rights import PrivacyMutations, PrivacyQueries, PrivacySubscriptions
from schema.ratings.ratings import RatingMutations, RatingQueries
from schema.ratings.subscriptions import RatingSubscriptions
from schema.requests.change_requests import ChangeRequestMutations, ChangeRequestQueries
from schema.requests.subscriptions import ChangeRequestSubscriptions
from schema.visits.anomalies import AnomalyQueries, AnomalySubscriptions
from schema.visits.corrections import CorrectionMutations, CorrectionQueries
from schema.visits.feeds import FeedMutations, FeedQueries
from schema.visits.mutations import InterventionMutations
from schema.visits.plans import PlanMutations, PlanQueries
from schema.visits.queries import InterventionQueries
from schema.visits.subscriptions import InterventionSubscriptions
from services.config import Settings
from services.logs import request_id_var

log = logging.getLogger("passage.graphql")

QUERY_TYPES: tuple[type, ...] = (
    AccountQueries,
    SessionQueries,
    StaffQueries,
    InterventionQueries,
    CorrectionQueries,
    PlanQueries,
    FeedQueries,
    RatingQueries,
    BillingQueries,
    MandateQueries,
    MessageQueries,
    HelpQueries,
    PolicyQueries,
    ChangeRequestQueries,
    HouseholdQueries,
    AbsenceQueries,
    ContactQueries,
    # Care beyond the visit (issue 19).
    ClaimQueries,
    CareQueries,
    CallbackQueries,
    AnomalyQueries,
    ClockQueries,
    UrssafQueries,
    NodeQueries,
    # Personal data rights (issue 15).
    ProfileQueries,
    PrivacyQueries,
    # Partners (issue 18).
    PartnerQueries,
    WebhookQueries,
)
MUTATION_TYPES: tuple[type, ...] = (
    AccountMutations,
    SessionMutations,
    StaffMutations,
    InterventionMutations,
    CorrectionMutations,
    PlanMutations,
    FeedMutations,
    RatingMutations,
    BillingMutations,
    BillingRuleMutations,
    AgencyIdentityMutations,
    MandateMutations,
    MessageMutations,
    HelpMutations,
    PolicyMutations,
    ChangeRequestMutations,
    HouseholdMutations,
    AbsenceMutations,
    ContactMutations,
    # Personal data rights (issue 15).
    ProfileMutations,
    PrivacyMutations,
    # Care beyond the visit (issue 19).
    ClaimMutations,
    CareMutations,
    CallbackMutations,
    UrssafMutations,
    # Partners (issue 18).
    PartnerMutations,
    # Persisted documents (issue 18).
    PersistedDocumentMutations,
    WebhookMutations,
)
# Every root field's arguments within what the columns hold (schema/engine/bounds.py).
guard(QUERY_TYPES, mutations=False)
guard(MUTATION_TYPES, mutations=True)
Query = merge_types("Query", QUERY_TYPES)
Mutation = merge_types("Mutation", MUTATION_TYPES)
Subscription = merge_types(
    "Subscription",
    (
        InterventionSubscriptions,
        MessageSubscriptions,
        RatingSubscriptions,
        ChangeRequestSubscriptions,
        BillingSubscriptions,
        PrivacySubscriptions,
        # Care beyond the visit (issue 19).
        ClaimSubscriptions,
        CallbackSubscriptions,
        AnomalySubscriptions,
    ),
)

MASKED_MESSAGE = "Erreur inattendue."
INTERNAL = "INTERNAL_SERVER_ERROR"
BAD_INPUT = "BAD_USER_INPUT"


def is_expected(error: GraphQLError) -> bool:
    """Validation errors and our own domain errors are for the caller to see."""
    original = error.original_error
    return original is None or isinstance(original, DomainError | GraphQLError)


class QuietExecutionContext(FastExecutionContext):
    """Execution without "Did you mean …?" hints (variable and enum values) in production."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        kwargs["hide_suggestions"] = True
        return super().build(*args, **kwargs)


class PassageSchema(strawberry.Schema):
    """Logs unexpected errors with the request id; in production, masks them.

    Masking happens here rather than in Strawberry's MaskErrors extension because
    Strawberry calls `process_errors` on every path, including errors raised by an
    extension hook, which MaskErrors never sees.
    """

    def __init__(
        self,
        *args: Any,
        mask_errors: bool = False,
        limits: Limits | None = None,
        planned: bool = True,
        throttle: Throttle | None = None,
        persisted: PersistedPolicy | None = None,
        steps: Sequence[Callable[[], SchemaExtension]] = (),
        **kwargs: Any,
    ) -> None:
        self.planner = Planner(self) if planned else None
        steps = list(steps)
        if self.planner is not None:
            # Last: it answers planned queries once every other step has seen them.
            steps.append(self.planner.extension)
        # Strawberry extensions, run in order after `extensions` by `HookRunner`
        # (schema/engine/runner.py).
        kwargs["extensions"] = [*kwargs.get("extensions", ()), *steps]
        super().__init__(*args, **kwargs)
        self.mask_errors = mask_errors
        self.limits = limits
        self.throttle = throttle
        self.persisted = persisted

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> HookRunner:
        # Each extension class's hooks read once, not on every stage (schema/engine/runner.py).
        return HookRunner(execution_context, extensions)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_data_exception(error.original_error):
                # A value no column could hold (schema/engine/edge.py): the caller's, not ours;
                # logged still, in case a division by zero or a bad cast was ours.
                log.warning(  # the class only: the database's message may quote the value
                    "value refused by the database at %s (%s)",
                    error.path,
                    type(error.original_error).__name__,
                    extra={"fields": {"request_id": request_id_var.get()}},
                )
                error.message = OUT_OF_RANGE
                error.original_error = None
                error.extensions = {**(error.extensions or {}), "code": BAD_INPUT}
                continue
            if is_unavailable(error.original_error):
                # The database is restarting or down: say so, and retry later; no traceback.
                log.warning(
                    "database unreachable at %s (%s)",
                    error.path,
                    type(error.original_error).__name__,
                    extra={"fields": {"request_id": request_id_var.get()}},
                )
                error.message = UNAVAILABLE
                error.original_error = None
                error.extensions = {**(error.extensions or {}), "code": "SERVICE_UNAVAILABLE"}
                continue
            if is_expected(error):
                # graphql-core's own refusals (variables, operation name) come without a code.
                if not (error.extensions or {}).get("code"):
                    error.extensions = {**(error.extensions or {}), "code": BAD_INPUT}
                continue
            request_id = request_id_var.get()
            log.error(
                "unexpected error at %s",
                error.path,
                exc_info=error.original_error,
                extra={"fields": {"request_id": request_id}},
            )
            error.extensions = {
                **(error.extensions or {}),
                "code": INTERNAL,
                "requestId": request_id,
            }
            if self.mask_errors:
                error.message = MASKED_MESSAGE
                error.original_error = None


def build_schema(
    settings: Settings | None = None, *, extra_queries: Sequence[type] = (), plain: bool = False
) -> PassageSchema:
    """The schema with the limits of `settings`; `extra_queries` are merged into Query (tests);
    `plain`: no planner and strawberry's own execution, the reference the fast paths must
    answer exactly like (tests/engine/test_differential.py)."""
    settings = settings or Settings()
    query = merge_types("Query", (*QUERY_TYPES, *extra_queries)) if extra_queries else Query
    limits = Limits(
        max_tokens=settings.max_tokens,
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_operations=settings.max_operations,
        max_cost=settings.max_query_cost,
        max_pairs=settings.max_field_pairs,
        max_directives=settings.max_directives,
        introspection=settings.introspection,
        hide_suggestions=settings.production,
    )
    throttle = Throttle.from_settings(settings)
    persisted = PersistedPolicy(settings)
    return PassageSchema(
        query=query,
        mutation=Mutation,
        subscription=Subscription,
        # Persisted documents first: the hash becomes the text the limits then look at
        # (its hook runs around the whole operation).
        extensions=[lambda: PersistedQueries(persisted)],
        # PartnerAccess after the limits: it reads the document they validated.
        # OneConnection before the planner: a query's statements share a connection.
        steps=[lambda: CostThrottle(limits, throttle), PartnerAccess, OneConnection],
        limits=limits,
        throttle=throttle,
        persisted=persisted,
        planned=settings.planned_queries and not plain,
        config=StrawberryConfig(disable_field_suggestions=settings.production),
        execution_context_class=(
            None
            if plain
            else QuietExecutionContext
            if settings.production
            else FastExecutionContext
        ),
        mask_errors=settings.production,
    )


# No buckets: this build only prints the SDL (and serves tests that run no server).
schema = build_schema(Settings(cost_limits=False))
