"""The URSSAF exchange: enrolment for the immediate advance, payment requests, CESU data."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from models.billing.urssaf import UrssafEnrolment as EnrolmentModel
from models.enums import UrssafEnrolmentStatus as EnrolmentStatusEnum
from models.enums import UrssafRequestState as RequestStateEnum
from resolvers.billing import employer_declaration
from resolvers.billing.urssaf import enrolment, views
from schema.billing.types import AdvanceStatus
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Info
from schema.core.ids import expect_id, to_global_id

UrssafEnrolmentStatus = strawberry.enum(
    EnrolmentStatusEnum,
    name="UrssafEnrolmentStatus",
    description="ENROLLED only once URSSAF answered with the household's id.",
)
UrssafRequestState = strawberry.enum(RequestStateEnum, name="UrssafRequestState")


@strawberry.enum(name="Civility")
class Civility(Enum):
    MONSIEUR = "MONSIEUR"
    MADAME = "MADAME"


@strawberry.type(description="A household's registration with URSSAF for the immediate advance.")
class UrssafEnrolment:
    client_id: strawberry.ID
    status: UrssafEnrolmentStatus  # type: ignore[valid-type]
    urssaf_id: str | None
    birth_name: str
    usage_name: str
    first_names: str
    birth_date: date
    birth_country_code: str
    birth_commune_code: str
    birth_commune_label: str
    postal_code: str
    commune_code: str
    commune_label: str
    email: str
    mobile: str
    iban: str = strawberry.field(description="Masked: its last four characters only.")
    bic: str
    account_holder: str
    error_code: str = strawberry.field(description="URSSAF's code when it refused.")
    error_message: str
    enrolled_at: datetime | None

    @classmethod
    def build(cls, row: EnrolmentModel) -> UrssafEnrolment:
        return cls(
            client_id=strawberry.ID(to_global_id("Client", row.client_id)),
            status=row.status,
            urssaf_id=row.urssaf_id,
            birth_name=row.birth_name,
            usage_name=row.usage_name,
            first_names=row.first_names,
            birth_date=row.birth_date,
            birth_country_code=row.birth_country_code,
            birth_commune_code=row.birth_commune_code,
            birth_commune_label=row.birth_commune_label,
            postal_code=row.postal_code,
            commune_code=row.commune_code,
            commune_label=row.commune_label,
            email=row.email,
            mobile=row.mobile,
            iban=f"**** {row.iban_last4}",
            bic=row.bic,
            account_holder=row.account_holder,
            error_code=row.error_code,
            error_message=row.error_message,
            enrolled_at=row.enrolled_at,
        )


@strawberry.input
class EnrolUrssafInput:
    client_id: strawberry.ID | None = strawberry.field(
        default=None, description="Staff: the household. A household enrols itself without it."
    )
    civility: Civility
    birth_name: str
    usage_name: str = ""
    first_names: str = strawberry.field(description="Separated by spaces.")
    birth_date: date
    birth_country_code: str = strawberry.field(description="INSEE, 5 digits; 99100 = France.")
    birth_commune_code: str = strawberry.field(
        default="", description="INSEE commune code (born in France), e.g. 75056."
    )
    birth_commune_label: str = ""
    street_number: str = ""
    street_name: str = ""
    address_complement: str = ""
    postal_code: str
    commune_code: str = strawberry.field(description="INSEE code of the address's commune.")
    commune_label: str
    email: str
    mobile: str = strawberry.field(description="A French mobile number (06 or 07).")
    iban: str
    bic: str
    account_holder: str


@strawberry.type
class EnrolUrssafPayload:
    enrolment: UrssafEnrolment | None
    user_errors: list[UserErrorType]


@strawberry.type(description="One move of an invoice's immediate advance.")
class AdvanceChange:
    from_status: AdvanceStatus | None  # type: ignore[valid-type]
    to_status: AdvanceStatus  # type: ignore[valid-type]
    source: str = strawberry.field(description="URSSAF (the status poll) or STAFF (override).")
    reason: str
    at: datetime


@strawberry.type(description="An invoice's payment request to URSSAF (staff).")
class UrssafPaymentRequest:
    state: UrssafRequestState  # type: ignore[valid-type]
    urssaf_id: str | None
    status_code: str = strawberry.field(description="URSSAF's status, 10 to 120.")
    status_label: str
    reason_code: str
    reason: str = strawberry.field(description="Why it was refused, contested or cancelled.")
    attempts: int
    last_error: str
    sent_at: datetime | None
    changes: list[AdvanceChange]


@strawberry.type(description="One worker's month for the household's CESU declaration.")
class DeclarationLine:
    last_name: str
    first_name: str
    employee_number: str
    hours: str
    net_hourly_wage: str
    net_pay: str
    visits: int


@strawberry.type(description="A mandataire household's monthly employer declaration data.")
class EmployerDeclaration:
    month: str
    filename: str
    csv: str = strawberry.field(description="The CSV (`;`, CRLF) in the CESU fields' order.")
    lines: list[DeclarationLine]


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _client(client_id: strawberry.ID | None) -> int | None:
    return expect_id(client_id, "Client") if client_id is not None else None


@strawberry.type
class UrssafQueries:
    @strawberry.field(description="A household's URSSAF enrolment (itself, or staff).")
    async def urssaf_enrolment(
        self, info: Info, client_id: strawberry.ID | None = None
    ) -> UrssafEnrolment | None:
        row = await enrolment.enrolment_of(info.context.viewer, _client(client_id))
        return UrssafEnrolment.build(row) if row else None

    @strawberry.field(description="An invoice's payment request and advance history (staff).")
    async def urssaf_payment_request(
        self, info: Info, invoice_id: strawberry.ID
    ) -> UrssafPaymentRequest | None:
        view = await views.payment_request(info.context.viewer, expect_id(invoice_id, "Invoice"))
        if view is None:
            return None
        return UrssafPaymentRequest(
            state=view.state,
            urssaf_id=view.urssaf_id,
            status_code=view.status_code,
            status_label=view.status_label,
            reason_code=view.reason_code,
            reason=view.reason,
            attempts=view.attempts,
            last_error=view.last_error,
            sent_at=view.sent_at,
            changes=[
                AdvanceChange(
                    from_status=c.from_status,
                    to_status=c.to_status,
                    source=c.source,
                    reason=c.reason,
                    at=c.at,
                )
                for c in view.changes
            ],
        )

    @strawberry.field(
        description="Hours and net pay per worker for a mandataire household's CESU "
        "declaration of `month` (YYYY-MM), at `netHourlyWage` euros."
    )
    async def employer_declaration(
        self,
        info: Info,
        month: str,
        net_hourly_wage: str,
        client_id: strawberry.ID | None = None,
    ) -> EmployerDeclaration:
        found = await employer_declaration.declaration(
            info.context.viewer, _client(client_id), month, net_hourly_wage
        )
        return EmployerDeclaration(
            month=found.month,
            filename=found.filename,
            csv=found.csv(),
            lines=[
                DeclarationLine(
                    last_name=row.last_name,
                    first_name=row.first_name,
                    employee_number=row.employee_number,
                    hours=_money(employer_declaration.hundredths(row.minutes)),
                    net_hourly_wage=_money(row.net_hourly_cents),
                    net_pay=_money(row.net_pay_cents),
                    visits=row.visits,
                )
                for row in found.rows
            ],
        )


@strawberry.type
class UrssafMutations:
    @strawberry.mutation(
        description="Enrols a household with URSSAF for the immediate advance (the household "
        "itself, or staff with clientId). Checked before sending; URSSAF's coded refusals "
        "come back as userErrors."
    )
    async def enrol_urssaf(self, info: Info, input: EnrolUrssafInput) -> EnrolUrssafPayload:
        data = enrolment.EnrolmentData(
            client_id=_client(input.client_id),
            civility=input.civility.value,
            birth_name=input.birth_name,
            usage_name=input.usage_name,
            first_names=input.first_names,
            birth_date=input.birth_date,
            birth_country_code=input.birth_country_code,
            birth_commune_code=input.birth_commune_code,
            birth_commune_label=input.birth_commune_label,
            street_number=input.street_number,
            street_name=input.street_name,
            address_complement=input.address_complement,
            postal_code=input.postal_code,
            commune_code=input.commune_code,
            commune_label=input.commune_label,
            email=input.email,
            mobile=input.mobile,
            iban=input.iban,
            bic=input.bic,
            account_holder=input.account_holder,
        )
        result = await enrolment.enrol(info.context.runtime, info.context.viewer, data)
        return EnrolUrssafPayload(
            enrolment=UrssafEnrolment.build(result.enrolment) if result.enrolment else None,
            user_errors=user_errors(result.user_errors),
        )
