"""Mandataire mode: monthly hours per worker for the employer, and payslips."""

from __future__ import annotations

import strawberry

from resolvers.billing import documents, mandates
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Info
from schema.core.ids import expect_id, to_global_id
from services.billing import hours


@strawberry.type(description="Hours one worker spent at the household in one month.")
class WorkerMonthHours:
    worker_name: str
    employee_number: str
    month: str = strawberry.field(description="YYYY-MM")
    visits: int
    hours: str = strawberry.field(description='Hours with a decimal point, e.g. "12.50".')


@strawberry.type(description="A worker's payslip for a household in mandataire mode.")
class Payslip:
    id: strawberry.ID
    year: int
    month: int
    filename: str
    size: int
    worker_name: str
    employee_number: str
    pdf_url: str = strawberry.field(description="Signed link, valid a few minutes.")


@strawberry.input
class UploadPayslipInput:
    client_id: strawberry.ID
    worker_id: strawberry.ID
    month: str = strawberry.field(description="YYYY-MM")
    filename: str = strawberry.field(description="Ends with .pdf, 120 characters at most.")
    content_base64: str = strawberry.field(description="The PDF, base64 (PAYSLIP_MAX_BYTES).")


@strawberry.type
class UploadPayslipPayload:
    payslip: Payslip | None
    user_errors: list[UserErrorType]


def _client_id(client_id: strawberry.ID | None) -> int | None:
    return expect_id(client_id, "Client") if client_id is not None else None


def _payslip(info: Info, record: mandates.PayslipRecord) -> Payslip:
    return Payslip(
        id=strawberry.ID(to_global_id("Payslip", record.id)),
        year=record.year,
        month=record.month,
        filename=record.filename,
        size=record.size,
        worker_name=record.worker_name,
        employee_number=record.employee_number,
        pdf_url=documents.link(
            info.context.runtime.settings, f"/documents/payslips/{record.id}.pdf"
        ),
    )


@strawberry.type
class MandateQueries:
    @strawberry.field(
        description="Hours per worker and month of a household, for the employer's "
        "declaration (the household itself, or staff with clientId)."
    )
    async def employer_hours(
        self, info: Info, year: int, client_id: strawberry.ID | None = None
    ) -> list[WorkerMonthHours]:
        rows = await mandates.hours(info.context.viewer, _client_id(client_id), year)
        return [
            WorkerMonthHours(
                worker_name=row.worker_name,
                employee_number=row.employee_number,
                month=row.month,
                visits=row.visits,
                hours=hours(row.minutes),
            )
            for row in rows
        ]

    @strawberry.field(description="Payslips of a household's workers in a year.")
    async def payslips(
        self, info: Info, year: int, client_id: strawberry.ID | None = None
    ) -> list[Payslip]:
        rows = await mandates.payslips(info.context.viewer, _client_id(client_id), year)
        return [_payslip(info, row) for row in rows]


@strawberry.type
class MandateMutations:
    @strawberry.mutation(description="Attaches a worker's monthly payslip PDF (staff).")
    async def upload_payslip(self, info: Info, input: UploadPayslipInput) -> UploadPayslipPayload:
        result = await mandates.upload_payslip(
            info.context.runtime,
            info.context.viewer,
            mandates.PayslipData(
                client_id=expect_id(input.client_id, "Client"),
                worker_id=expect_id(input.worker_id, "Worker"),
                month=input.month,
                filename=input.filename,
                content_base64=input.content_base64,
            ),
        )
        record = None
        if result.payslip is not None:
            [record] = [
                r
                for r in await mandates.payslips(
                    info.context.viewer, result.payslip.client_id, result.payslip.year
                )
                if r.id == result.payslip.id
            ]
        return UploadPayslipPayload(
            payslip=_payslip(info, record) if record else None,
            user_errors=user_errors(result.user_errors),
        )
