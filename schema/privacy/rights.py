"""A household's data rights: export, deletion, and the audit trail ADMIN reads."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date, datetime
from enum import Enum

import strawberry

from models.enums import PRIVACY_EVENT_TYPES, DataExportStatus, DeletionStatus, PrivacyAction
from models.privacy import AccountDeletion as DeletionModel
from models.privacy import DataExport as ExportModel
from resolvers.privacy import archive, audit, deletion, exports
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Info
from schema.core.ids import cursor_for, expect_id, to_global_id
from schema.core.live import viewer_events

ExportStatus = strawberry.enum(DataExportStatus, name="DataExportStatus")
DeletionState = strawberry.enum(DeletionStatus, name="AccountDeletionStatus")
AuditAction = strawberry.enum(PrivacyAction, name="PrivacyAction")


@strawberry.type
class DataExport:
    id: strawberry.ID
    status: ExportStatus  # type: ignore[valid-type]
    progress: int = strawberry.field(description="Percent built.")
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    size_bytes: int
    download_url: str | None = strawberry.field(
        description="Signed link, valid EXPORT_LINK_SECONDS; null until READY."
    )

    @classmethod
    def of(cls, info: Info, row: ExportModel) -> DataExport:
        return cls(
            id=strawberry.ID(to_global_id("DataExport", row.id)),
            status=row.status,
            progress=row.progress,
            requested_at=row.requested_at,
            ready_at=row.ready_at,
            expires_at=row.expires_at,
            size_bytes=row.size_bytes,
            download_url=exports.download_url(info.context.runtime.settings, row),
        )


@strawberry.type
class AccountDeletion:
    status: DeletionState  # type: ignore[valid-type]
    requested_at: datetime
    effective_at: datetime | None = strawberry.field(
        description="When the account is erased, once confirmed (grace period)."
    )

    @classmethod
    def of(cls, row: DeletionModel) -> AccountDeletion:
        return cls(status=row.status, requested_at=row.requested_at, effective_at=row.effective_at)


@strawberry.type
class PendingAccountDeletion:
    client_id: strawberry.ID
    client_number: str
    status: DeletionState  # type: ignore[valid-type]
    requested_at: datetime
    effective_at: datetime | None
    answer_by: datetime = strawberry.field(
        description="The date by which the law wants the request answered (RGPD art. 12: a month)."
    )


@strawberry.type
class PrivacyAuditEntry:
    id: strawberry.ID
    action: AuditAction  # type: ignore[valid-type]
    at: datetime
    client_id: strawberry.ID | None
    actor_account_id: strawberry.ID | None
    detail: str


@strawberry.type
class ArchivedDocument:
    filename: str
    archived_at: datetime
    keep_until: date
    pdf_url: str = strawberry.field(description="Signed link, valid DOCUMENT_LINK_SECONDS.")


@strawberry.type
class DataExportPayload:
    data_export: DataExport | None
    user_errors: list[UserErrorType]


@strawberry.type
class AccountDeletionPayload:
    deletion: AccountDeletion | None
    user_errors: list[UserErrorType]


@strawberry.input
class RequestAccountDeletionInput:
    password: str = strawberry.field(description="The current password, asked again.")


@strawberry.input
class ConfirmAccountDeletionInput:
    token: str


@strawberry.input
class RequestDataExportInput:
    format: str = strawberry.field(default="zip", description="Only `zip` for now.")


def _gid(kind: str, pk: int | None) -> strawberry.ID | None:
    return strawberry.ID(to_global_id(kind, pk)) if pk is not None else None


@strawberry.type
class PrivacyQueries:
    @strawberry.field(description="The household's latest data export (CLIENT).")
    async def data_export(self, info: Info) -> DataExport | None:
        row = await exports.latest(info.context.viewer)
        return DataExport.of(info, row) if row else None

    @strawberry.field(description="The household's deletion under way, if any (CLIENT).")
    async def account_deletion(self, info: Info) -> AccountDeletion | None:
        row = await deletion.current(info.context.viewer)
        return AccountDeletion.of(row) if row else None

    @strawberry.field(description="Deletions under way in the agency (ADVISOR, ADMIN).")
    async def pending_account_deletions(self, info: Info) -> list[PendingAccountDeletion]:
        return [
            PendingAccountDeletion(
                client_id=strawberry.ID(to_global_id("Client", p.deletion.client_id or 0)),
                client_number=p.client_number,
                status=p.deletion.status,
                requested_at=p.deletion.requested_at,
                effective_at=p.deletion.effective_at,
                answer_by=p.answer_by,
            )
            for p in await deletion.pending(info.context.viewer)
        ]

    @strawberry.field(
        description="Documents frozen when a household was erased (tax certificates), kept for "
        "their legal period; its invoices stay in `invoices` (ADMIN)."
    )
    async def legal_archive(
        self, info: Info, client_id: strawberry.ID
    ) -> list[ArchivedDocument] | None:
        rows = await archive.documents(info.context.viewer, expect_id(client_id, "Client"))
        if rows is None:
            return None
        settings = info.context.runtime.settings
        return [
            ArchivedDocument(
                filename=row.filename,
                archived_at=row.archived_at,
                keep_until=row.keep_until,
                pdf_url=archive.link(settings, row),
            )
            for row in rows
        ]

    @strawberry.field(
        description="Exports, rectifications, erasures and file accesses, newest first (ADMIN)."
    )
    async def privacy_audit(
        self,
        info: Info,
        client_id: strawberry.ID | None = None,
        first: int = 50,
        before: strawberry.ID | None = None,
    ) -> list[PrivacyAuditEntry]:
        rows = await audit.trail(
            info.context.viewer,
            expect_id(client_id, "Client") if client_id else None,
            first,
            expect_id(before, "PrivacyAuditEntry") if before else None,
        )
        return [
            PrivacyAuditEntry(
                id=strawberry.ID(to_global_id("PrivacyAuditEntry", r.id)),
                action=r.action,
                at=r.at,
                client_id=_gid("Client", r.client_id),
                actor_account_id=_gid("Account", r.actor_account_id),
                detail=r.detail,
            )
            for r in rows
        ]


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(
        description="Prepares a ZIP of all the household's data in the background (CLIENT)."
    )
    async def request_data_export(
        self, info: Info, input: RequestDataExportInput | None = None
    ) -> DataExportPayload:
        if input is not None and input.format != "zip":
            return DataExportPayload(
                data_export=None,
                user_errors=[
                    UserErrorType(  # type: ignore[call-arg]
                        field=["format"], message="Format non pris en charge.", code="BAD_FORMAT"
                    )
                ],
            )
        result = await exports.request_export(info.context.runtime, info.context.viewer)
        return DataExportPayload(
            data_export=DataExport.of(info, result.export) if result.export else None,
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(
        description="Asks for the account's erasure; a link to confirm it is e-mailed (CLIENT)."
    )
    async def request_account_deletion(
        self, info: Info, input: RequestAccountDeletionInput
    ) -> AccountDeletionPayload:
        result = await deletion.request_deletion(
            info.context.runtime, info.context.viewer, input.password, info.context.meta
        )
        return _deletion_payload(result)

    @strawberry.mutation(description="Confirms with the e-mailed token: the grace period starts.")
    async def confirm_account_deletion(
        self, info: Info, input: ConfirmAccountDeletionInput
    ) -> AccountDeletionPayload:
        return _deletion_payload(await deletion.confirm_deletion(info.context.runtime, input.token))

    @strawberry.mutation(description="Cancels a deletion during its grace period (CLIENT).")
    async def cancel_account_deletion(self, info: Info) -> AccountDeletionPayload:
        return _deletion_payload(
            await deletion.cancel_deletion(info.context.runtime, info.context.viewer)
        )


def _deletion_payload(result: deletion.DeletionResult) -> AccountDeletionPayload:
    return AccountDeletionPayload(
        deletion=AccountDeletion.of(result.deletion) if result.deletion else None,
        user_errors=user_errors(result.user_errors),
    )


@strawberry.enum(name="DataExportEventType")
class DataExportEventType(Enum):
    DATA_EXPORT_READY = "DATA_EXPORT_READY"


@strawberry.type
class DataExportEvent:
    cursor: str
    type: DataExportEventType
    occurred_at: datetime
    data_export_id: strawberry.ID


@strawberry.type
class PrivacySubscriptions:
    @strawberry.subscription(
        description="The household's data export became ready (CLIENT; staff see their agency's)."
    )
    async def data_export_events(
        self, info: Info, since: str | None = None
    ) -> AsyncGenerator[DataExportEvent, None]:
        async for event in await viewer_events(info, since, PRIVACY_EVENT_TYPES):
            yield DataExportEvent(
                cursor=cursor_for(event.id),
                type=DataExportEventType(event.type),
                occurred_at=datetime.fromisoformat(event.occurred_at),
                data_export_id=strawberry.ID(to_global_id("DataExport", event.subject_id or 0)),
            )
