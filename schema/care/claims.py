"""Damage and incident claims: what a household reports and how the agency settles it."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import StrEnum
from typing import Any

import strawberry

from models.enums import CLAIM_EVENT_TYPES
from models.enums import ClaimStatus as ClaimStatusEnum
from models.enums import EventType as EventTypeEnum
from resolvers.care import claims, claims_read
from resolvers.core import guards
from resolvers.messaging.attachments import Upload
from schema.core import nodes
from schema.core.common import Node, UserErrorType, user_errors
from schema.core.context import Info
from schema.core.ids import cursor_for, expect_id, to_global_id
from schema.core.live import viewer_events
from schema.messaging.conversations import MessageAttachmentInput
from schema.messaging.types import signed_file_url

ClaimStatus = strawberry.enum(ClaimStatusEnum, name="ClaimStatus")
MONEY = 'Euros as a decimal string, e.g. "120.00".'


@strawberry.type
class ClaimAttachment:
    id: strawberry.ID
    filename: str
    content_type: str
    size: int
    pk: strawberry.Private[int]

    @strawberry.field(description="A signed link for you, valid a few minutes.")
    def url(self, info: Info) -> str:
        return signed_file_url(info, self.pk, "claim-files", claims_read.FILE_PURPOSE)


@strawberry.type(description="Damage or an incident a household reported on one of its visits.")
class Claim(Node):
    intervention_id: strawberry.ID
    client_id: strawberry.ID
    status: ClaimStatus  # type: ignore[valid-type]
    description: str = strawberry.field(description="What happened, as the household wrote it.")
    location: str = strawberry.field(description="Where in the home.")
    noticed_at: datetime
    estimated_value: str | None = strawberry.field(description=MONEY)
    insurer_reference: str
    reimbursed_amount: str | None = strawberry.field(description=MONEY)
    outcome_note: str = strawberry.field(description="The decline reason, or a repair note.")
    created_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    retained_until: datetime | None = strawberry.field(
        description="Kept until then after closure (limitation period), then erased."
    )
    attachments: list[ClaimAttachment]
    worker_account: str | None = strawberry.field(
        description="The worker's version of the facts (staff only; null for the household)."
    )

    @classmethod
    def from_view(cls, view: claims_read.ClaimView) -> Claim:
        return cls(
            id=strawberry.ID(to_global_id("Claim", view.id)),
            intervention_id=strawberry.ID(to_global_id("Intervention", view.intervention_id)),
            client_id=strawberry.ID(to_global_id("Client", view.client_id)),
            status=view.status,
            description=view.description,
            location=view.location,
            noticed_at=view.noticed_at,
            estimated_value=view.estimated_value,
            insurer_reference=view.insurer_reference,
            reimbursed_amount=view.reimbursed_amount,
            outcome_note=view.outcome_note,
            created_at=view.created_at,
            acknowledged_at=view.acknowledged_at,
            closed_at=view.closed_at,
            updated_at=view.updated_at,
            retained_until=view.retained_until,
            attachments=[
                ClaimAttachment(
                    id=strawberry.ID(to_global_id("ClaimAttachment", f.id)),
                    filename=f.filename,
                    content_type=f.content_type,
                    size=f.size,
                    pk=f.id,
                )
                for f in view.attachments
            ],
            worker_account=view.worker_account,
        )


@strawberry.type
class ClaimStatusCount:
    status: ClaimStatus  # type: ignore[valid-type]
    count: int


@strawberry.type(description="The dashboard's claims panel.")
class ClaimsPanel:
    counts: list[ClaimStatusCount]
    open_count: int
    oldest_waiting: list[Claim] = strawberry.field(
        description="Open claims untouched the longest, oldest first (5 at most)."
    )


@strawberry.input
class ReportClaimInput:
    intervention_id: strawberry.ID
    description: str = strawberry.field(description="What happened (1 to 2,000 characters).")
    location: str = strawberry.field(description="Where in the home (1 to 200 characters).")
    noticed_at: datetime
    estimated_value: str | None = strawberry.field(default=None, description=MONEY)
    attachments: list[MessageAttachmentInput] | None = strawberry.field(
        default=None, description="Up to 3 photos (PNG, JPEG, WebP) or PDFs."
    )


@strawberry.input
class ClaimIdInput:
    claim_id: strawberry.ID


@strawberry.input
class InvestigateClaimInput:
    claim_id: strawberry.ID
    worker_account: str = strawberry.field(description="The worker's version of the facts.")
    insurer_reference: str | None = None


@strawberry.enum
class ClaimOutcome(StrEnum):
    REPAIRED = "REPAIRED"
    REIMBURSED = "REIMBURSED"
    DECLINED = "DECLINED"


@strawberry.input
class SettleClaimInput:
    claim_id: strawberry.ID
    outcome: ClaimOutcome
    reimbursed_amount: str | None = strawberry.field(
        default=None, description=f"Required when REIMBURSED. {MONEY}"
    )
    reason: str | None = strawberry.field(
        default=None, description="Required when DECLINED; a note otherwise (500 chars)."
    )
    insurer_reference: str | None = None


@strawberry.type
class ClaimPayload:
    claim: Claim | None
    user_errors: list[UserErrorType]


def _payload(result: claims.ClaimResult) -> ClaimPayload:
    return ClaimPayload(
        claim=Claim.from_view(result.claim) if result.claim else None,
        user_errors=user_errors(result.user_errors),
    )


@strawberry.type
class ClaimQueries:
    @strawberry.field(description="The signed-in household's claims, newest first (CLIENT).")
    async def my_claims(self, info: Info) -> list[Claim]:
        return [Claim.from_view(v) for v in await claims_read.my_claims(info.context.viewer)]

    @strawberry.field(description="The agency's claims, what waits longest first (staff).")
    async def claims(
        self,
        info: Info,
        status: ClaimStatus | None = None,  # type: ignore[valid-type]
        open_only: bool = False,
    ) -> list[Claim]:
        rows = await claims_read.agency_claims(info.context.viewer, status, open_only)
        return [Claim.from_view(v) for v in rows]

    @strawberry.field(description="Counts by status and the oldest open claims (staff).")
    async def claims_panel(self, info: Info) -> ClaimsPanel:
        panel = await claims_read.panel(info.context.viewer)
        return ClaimsPanel(
            counts=[ClaimStatusCount(status=s, count=n) for s, n in panel.counts.items()],
            open_count=sum(n for s, n in panel.counts.items() if not s.closed),
            oldest_waiting=[Claim.from_view(v) for v in panel.oldest_waiting],
        )


@strawberry.type
class ClaimMutations:
    @strawberry.mutation(
        description="Reports damage or an incident on one of the household's visits, within "
        "the agency's deadline (CLIENT)."
    )
    async def report_claim(self, info: Info, input: ReportClaimInput) -> ClaimPayload:
        data = claims.ReportData(
            intervention_id=expect_id(input.intervention_id, "Intervention"),
            description=input.description,
            location=input.location,
            noticed_at=input.noticed_at,
            estimated_value=input.estimated_value,
            attachments=tuple(
                Upload(a.filename, a.content_base64) for a in input.attachments or []
            ),
        )
        return _payload(await claims.report(info.context.runtime, info.context.viewer, data))

    @strawberry.mutation(description="Takes a reported claim in hand (ADVISOR, ADMIN).")
    async def acknowledge_claim(self, info: Info, input: ClaimIdInput) -> ClaimPayload:
        return await _step(info, input.claim_id, claims.StepData(ClaimStatusEnum.ACKNOWLEDGED))

    @strawberry.mutation(
        description="Records the worker's account and the insurer's reference (ADVISOR, ADMIN)."
    )
    async def investigate_claim(self, info: Info, input: InvestigateClaimInput) -> ClaimPayload:
        step = claims.StepData(
            ClaimStatusEnum.INVESTIGATING,
            worker_account=input.worker_account,
            insurer_reference=input.insurer_reference,
        )
        return await _step(info, input.claim_id, step)

    @strawberry.mutation(
        description="Closes a claim: repaired, reimbursed with the amount, or declined with "
        "the reason (ADVISOR, ADMIN)."
    )
    async def settle_claim(self, info: Info, input: SettleClaimInput) -> ClaimPayload:
        step = claims.StepData(
            ClaimStatusEnum(input.outcome.value),
            insurer_reference=input.insurer_reference,
            reimbursed_amount=input.reimbursed_amount,
            note=input.reason,
        )
        return await _step(info, input.claim_id, step)


async def _step(info: Info, claim_id: strawberry.ID, step: claims.StepData) -> ClaimPayload:
    result = await claims.advance(
        info.context.runtime, info.context.viewer, expect_id(claim_id, "Claim"), step
    )
    return _payload(result)


@strawberry.enum
class ClaimEventType(StrEnum):
    CLAIM_REPORTED = EventTypeEnum.CLAIM_REPORTED.value
    CLAIM_UPDATED = EventTypeEnum.CLAIM_UPDATED.value


@strawberry.type
class ClaimEvent:
    cursor: str
    type: ClaimEventType
    occurred_at: datetime
    claim: Claim | None = strawberry.field(description="The claim as it is now.")


@strawberry.type
class ClaimSubscriptions:
    @strawberry.subscription(
        description="Claims reported and each step of them: the household and the agency's "
        "staff. With `since`, missed events are replayed first."
    )
    async def claim_events(
        self, info: Info, since: str | None = None
    ) -> AsyncGenerator[ClaimEvent, None]:
        events = await viewer_events(info, since, CLAIM_EVENT_TYPES)
        viewer = guards.signed_in(info.context.viewer)
        async for event in events:
            view = await claims_read.visible(viewer, int(event.subject_id or 0))
            yield ClaimEvent(
                cursor=cursor_for(event.id),
                type=ClaimEventType(event.type),
                occurred_at=datetime.fromisoformat(event.occurred_at),
                claim=Claim.from_view(view) if view else None,
            )


async def _node(viewer: Any, pk: int) -> Claim | None:
    view = await claims_read.visible(viewer, pk)
    return Claim.from_view(view) if view else None


nodes.register("Claim", _node)
