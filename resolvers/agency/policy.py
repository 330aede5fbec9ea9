"""An agency's self-service policy and its opening hours (service hours for bookable slots).

Staff read them; only an ADMIN changes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, time
from itertools import pairwise
from typing import Any

from tortoise.transactions import in_transaction

from models.accounts.people import Agency
from models.agency.hours import OpeningHours
from models.agency.policy import AgencyPolicy
from models.enums import AbsencePolicy
from resolvers.agency.opening_hours import DEFAULT_OPENING_HOURS, Span, opening_hours, span_of
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.lookups import DEFAULT_TIME_ZONE
from resolvers.core.prepared import PreparedRows, get_by
from resolvers.core.runtime import Viewer
from services.session_cache import SessionCache

MAX_NOTICE_HOURS = 24 * 30
MAX_SPANS = 21


@dataclass(frozen=True)
class Policy:
    agency_id: int
    min_notice_hours: int = 48
    auto_approve: bool = False
    absence_policy: AbsencePolicy = AbsencePolicy.OFFER_RESCHEDULE
    late_cancellation_billable: bool = True


@dataclass(frozen=True)
class PolicyChange:
    min_notice_hours: int | None = None
    auto_approve: bool | None = None
    absence_policy: AbsencePolicy | None = None
    late_cancellation_billable: bool | None = None


@dataclass(frozen=True)
class PolicyResult:
    policy: Policy | None
    user_errors: list[UserError]


@dataclass(frozen=True)
class HoursResult:
    spans: tuple[Span, ...] | None
    user_errors: list[UserError]


# A policy's own columns: its fields after the agency's id.
_POLICY_COLUMNS = (
    "min_notice_hours",
    "auto_approve",
    "absence_policy",
    "late_cancellation_billable",
)


async def policy_of(agency_id: int) -> Policy:
    row = await get_by(AgencyPolicy, "agency_id", agency_id)  # SQL written once: read often
    if row is None:
        return Policy(agency_id)
    return Policy(agency_id, **{name: getattr(row, name) for name in _POLICY_COLUMNS})


@dataclass(frozen=True)
class RuleSettings:
    """What a change request's rules read of its agency."""

    time_zone: str
    policy: Policy
    spans: tuple[Span, ...]


# The agency, its policy and its opening hours joined: one statement (one row per span, or
# one row of nulls after the agency's own columns when it has neither). Read by every page
# of change requests and every request made.
_RULE_SETTINGS = PreparedRows(
    Agency,
    (
        "time_zone",
        "policy__id",
        *(f"policy__{name}" for name in _POLICY_COLUMNS),
        "opening_hours__weekday",
        "opening_hours__opens_at",
        "opening_hours__closes_at",
    ),
)


# Each agency's rule settings, kept for a second: every page of pending requests and
# every request made reads them, an admin changes them now and then. A change made in
# this process is seen at once (`forget_rule_settings`; a read that overlapped it is not
# kept); one made in another process within RULE_SETTINGS_SECONDS, as if it had been
# made that much later. Kept as the sessions are (services/session_cache.py), by the
# agency's id, as a row {"id": agency id, "settings": RuleSettings}.
RULE_SETTINGS_SECONDS = 1.0
_KEPT = SessionCache(RULE_SETTINGS_SECONDS, 4096)


def forget_rule_settings(agency_id: int) -> None:
    """This process reads the agency's settings again (after a change committed)."""
    _KEPT.forget([agency_id])


async def rule_settings(agency_id: int) -> RuleSettings:
    """`agency_time_zone`, `policy_of` and `opening_hours` of one agency, in one statement,
    kept for RULE_SETTINGS_SECONDS."""

    async def read() -> list[dict[str, Any]]:
        found = await _read_rule_settings(agency_id)
        return [] if found is None else [{"id": agency_id, "settings": found}]

    row = await _KEPT.read(str(agency_id), read)
    if row is None:  # no such agency: nothing kept
        return RuleSettings(DEFAULT_TIME_ZONE, Policy(agency_id), DEFAULT_OPENING_HOURS)
    settings: RuleSettings = row["settings"]
    return settings


async def _read_rule_settings(agency_id: int) -> RuleSettings | None:
    """None: no such agency."""
    rows = await _RULE_SETTINGS.fetch(
        "of agency",
        lambda v: Agency.filter(id=v["agency"]).order_by(
            "opening_hours__weekday", "opening_hours__opens_at"
        ),
        {"agency": agency_id},
    )
    if not rows:
        return None
    first = rows[0]
    policy = (
        Policy(agency_id)
        if first["policy__id"] is None
        else Policy(agency_id, **{name: first[f"policy__{name}"] for name in _POLICY_COLUMNS})
    )
    spans = tuple(
        span_of(
            row["opening_hours__weekday"],
            row["opening_hours__opens_at"],
            row["opening_hours__closes_at"],
        )
        for row in rows
        if row["opening_hours__weekday"] is not None
    )
    return RuleSettings(str(first["time_zone"]), policy, spans or DEFAULT_OPENING_HOURS)


async def read_policy(viewer: Viewer | None) -> Policy:
    staff = guards.staff(viewer)
    return await policy_of(staff.agency_id or 0)


async def update_policy(viewer: Viewer | None, change: PolicyChange) -> PolicyResult:
    admin = guards.admin(viewer)
    agency_id = admin.agency_id or 0
    if change.min_notice_hours is not None and not (
        0 <= change.min_notice_hours <= MAX_NOTICE_HOURS
    ):
        return PolicyResult(
            None,
            [user_error("minNoticeHours", "Un délai de 0 à 720 heures.", "INVALID_NOTICE")],
        )
    values: dict[str, Any] = {
        name: value
        for name, value in (
            ("min_notice_hours", change.min_notice_hours),
            ("auto_approve", change.auto_approve),
            ("absence_policy", change.absence_policy),
            ("late_cancellation_billable", change.late_cancellation_billable),
        )
        if value is not None
    }
    async with in_transaction():
        row = await AgencyPolicy.filter(agency_id=agency_id).select_for_update().first()
        if row is None:
            await AgencyPolicy.create(agency_id=agency_id, **values)
        elif values:
            await AgencyPolicy.filter(id=row.id).update(**values)
    forget_rule_settings(agency_id)
    return PolicyResult(await policy_of(agency_id), [])


async def read_opening_hours(viewer: Viewer | None) -> tuple[Span, ...]:
    """Anyone attached to an agency (staff, workers, clients) may read its hours."""
    viewer = guards.signed_in(viewer)
    if viewer.agency_id is None:
        return ()
    return await opening_hours(viewer.agency_id)


def _check_spans(spans: list[Span]) -> list[UserError]:
    if len(spans) > MAX_SPANS:
        return [user_error("spans", "21 plages au plus.", "TOO_MANY_SPANS")]
    errors = []
    for index, span in enumerate(spans):
        if not 0 <= span.weekday <= 6:
            errors.append(
                user_error(
                    f"spans.{index}.weekday", "Jour de 0 (lundi) à 6 (dimanche).", "INVALID_WEEKDAY"
                )
            )
        elif span.closes_at <= span.opens_at:
            errors.append(
                user_error(
                    f"spans.{index}.closesAt",
                    "La fermeture doit suivre l'ouverture.",
                    "END_BEFORE_START",
                )
            )
    if errors:
        return errors
    ordered = sorted(spans, key=lambda s: (s.weekday, s.opens_at))
    for before, after in pairwise(ordered):
        if before.weekday == after.weekday and after.opens_at < before.closes_at:
            return [user_error("spans", "Deux plages se chevauchent.", "OVERLAPPING_SPANS")]
    return []


async def set_opening_hours(viewer: Viewer | None, spans: list[Span]) -> HoursResult:
    """Replaces the agency's hours. An empty list goes back to the default hours."""
    admin = guards.admin(viewer)
    agency_id = admin.agency_id or 0
    spans = [
        Span(s.weekday, s.opens_at.replace(tzinfo=None), s.closes_at.replace(tzinfo=None))
        for s in spans
    ]
    errors = _check_spans(spans)
    if errors:
        return HoursResult(None, errors)
    async with in_transaction():
        await OpeningHours.filter(agency_id=agency_id).delete()
        for span in spans:
            await OpeningHours.create(
                agency_id=agency_id,
                weekday=span.weekday,
                # Wall-clock times, marked UTC so the ORM stores them unchanged.
                opens_at=span.opens_at.replace(tzinfo=UTC),
                closes_at=span.closes_at.replace(tzinfo=UTC),
            )
    forget_rule_settings(agency_id)
    return HoursResult(await opening_hours(agency_id), [])


def within(spans: tuple[Span, ...], weekday: int, start: time, end: time) -> bool:
    """Whether [start, end) on `weekday` lies inside one opening span."""
    return any(s.weekday == weekday and s.opens_at <= start and end <= s.closes_at for s in spans)
