"""Reading claims: the household's own, the agency's queue and panel, the export.

The worker's account and the staff member handling a claim are for staff only.
Claims are kept RETENTION after they are closed: the household's five years to
bring an action (Code civil, article 2224), after which `erase_household_claims`
removes them. `household_claims` is the household's data export of this domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.functions import Count

from models.accounts.people import Account
from models.care.claims import Claim, ClaimAttachment
from models.enums import AccountStatus, ClaimStatus
from resolvers.core import guards
from resolvers.core.lookups import client_id_for
from resolvers.core.runtime import Viewer
from resolvers.messaging import attachments as attachment_links
from services.billing import money
from services.clock import utcnow

RETENTION = timedelta(days=5 * 365 + 1)
MAX_LISTED = 100
PANEL_OLDEST = 5
OPEN_STATUSES = [s for s in ClaimStatus if not s.closed]


@dataclass(frozen=True)
class ClaimFile:
    id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ClaimView:
    id: int
    intervention_id: int
    client_id: int
    status: ClaimStatus
    description: str
    location: str
    noticed_at: datetime
    estimated_value: str | None
    insurer_reference: str
    reimbursed_amount: str | None
    outcome_note: str
    created_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    retained_until: datetime | None
    attachments: list[ClaimFile]
    worker_account: str | None  # staff only


@dataclass(frozen=True)
class ClaimPanel:
    counts: dict[ClaimStatus, int]
    oldest_waiting: list[ClaimView]


def _view(row: Claim, files: list[ClaimFile], staff: bool) -> ClaimView:
    return ClaimView(
        id=row.id,
        intervention_id=row.intervention_id,
        client_id=row.client_id,
        status=ClaimStatus(row.status),
        description=row.description,
        location=row.location,
        noticed_at=row.noticed_at,
        estimated_value=money(row.estimated_value_cents)
        if row.estimated_value_cents is not None
        else None,
        insurer_reference=row.insurer_reference,
        reimbursed_amount=money(row.reimbursed_cents) if row.reimbursed_cents is not None else None,
        outcome_note=row.outcome_note,
        created_at=row.created_at,
        acknowledged_at=row.acknowledged_at,
        closed_at=row.closed_at,
        updated_at=row.updated_at,
        retained_until=row.closed_at + RETENTION if row.closed_at else None,
        attachments=files,
        worker_account=row.worker_account if staff else None,
    )


async def _files(ids: Sequence[int]) -> dict[int, list[ClaimFile]]:
    rows = (
        await ClaimAttachment.filter(claim_id__in=list(ids))
        .order_by("id")
        .values("id", "claim_id", "filename", "content_type", "size")
    )
    grouped: dict[int, list[ClaimFile]] = {}
    for row in rows:
        grouped.setdefault(row["claim_id"], []).append(
            ClaimFile(row["id"], row["filename"], row["content_type"], row["size"])
        )
    return grouped


async def _views(rows: list[Claim], staff: bool) -> list[ClaimView]:
    files = await _files([row.id for row in rows])
    return [_view(row, files.get(row.id, []), staff) for row in rows]


async def claim_view(claim_id: int, *, staff: bool) -> ClaimView | None:
    row = await Claim.get_or_none(id=claim_id)
    return (await _views([row], staff))[0] if row else None


async def visible(viewer: Viewer, claim_id: int) -> ClaimView | None:
    """The claim if the viewer is its household or staff of its agency (`node`, live)."""
    row = await Claim.get_or_none(id=claim_id)
    if row is None or not await guards.sees_household_row(viewer, row.agency_id, row.client_id):
        return None
    return (await _views([row], viewer.is_staff))[0]


async def my_claims(viewer: Viewer | None) -> list[ClaimView]:
    household = guards.household(viewer)
    client_id = await client_id_for(household) or 0
    rows = await Claim.filter(client_id=client_id).order_by("-id").limit(MAX_LISTED)
    return await _views(rows, staff=False)


async def agency_claims(
    viewer: Viewer | None, status: ClaimStatus | None, open_only: bool
) -> list[ClaimView]:
    """The agency's claims, what waits longest first (staff)."""
    staff = guards.staff(viewer)
    query = Claim.filter(agency_id=staff.agency_id)
    if status is not None:
        query = query.filter(status=status)
    elif open_only:
        query = query.filter(status__in=OPEN_STATUSES)
    rows = await query.order_by("updated_at", "id").limit(MAX_LISTED)
    return await _views(rows, staff=True)


async def panel(viewer: Viewer | None) -> ClaimPanel:
    """Counts by status and the open claims that wait longest (dashboard)."""
    staff = guards.staff(viewer)
    rows = (
        await Claim.filter(agency_id=staff.agency_id)
        .annotate(n=Count("id"))
        .group_by("status")
        .values_list("status", "n")
    )
    counts = dict.fromkeys(ClaimStatus, 0)
    counts.update({ClaimStatus(status): int(n) for status, n in rows})
    oldest = (
        await Claim.filter(agency_id=staff.agency_id, status__in=OPEN_STATUSES)
        .order_by("updated_at", "id")
        .limit(PANEL_OLDEST)
    )
    return ClaimPanel(counts, await _views(oldest, staff=True))


async def household_claims(client_id: int) -> list[dict[str, Any]]:
    """The household's claims as plain data, for its data export (RGPD article 15)."""
    rows = await Claim.filter(client_id=client_id).order_by("id")
    exported = []
    for view in await _views(rows, staff=False):
        data = asdict(view)
        data.pop("worker_account")
        data["status"] = view.status.value
        exported.append(
            {
                key: value.isoformat() if isinstance(value, datetime) else value
                for key, value in data.items()
            }
        )
    return exported


async def erase_household_claims(client_id: int, now: datetime | None = None) -> int:
    """Erases the household's claims closed longer than RETENTION ago; returns how many.

    Open claims and those still within the limitation period are kept, as the law
    requires; the erasure of the household runs again later for them.
    """
    limit = (now or utcnow()) - RETENTION
    doomed = list(
        await Claim.filter(client_id=client_id, closed_at__lt=limit).values_list("id", flat=True)
    )
    if doomed:
        await Claim.filter(id__in=doomed).delete()
    return len(doomed)


FILE_PURPOSE = "claim-file"


async def download_file(secret_key: str, token: str) -> ClaimAttachment | None:
    """A claim's photo or PDF behind a valid, unexpired link, if its account may still see
    the claim (the household, or staff of its agency)."""
    verified = attachment_links.verify(secret_key, token, FILE_PURPOSE)
    if verified is None:
        return None
    file_id, account_id = verified
    found = await ClaimAttachment.get_or_none(id=file_id).select_related("claim")
    account = await Account.get_or_none(id=account_id, status=AccountStatus.ACTIVE)
    if found is None or account is None:
        return None
    claim = found.claim
    allowed = await guards.account_sees_household_row(account, claim.agency_id, claim.client_id)
    return found if allowed else None
