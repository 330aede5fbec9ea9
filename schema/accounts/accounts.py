"""Accounts, agencies, clients and workers as the API shows them; sign-up and `me`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import strawberry

from models.accounts.people import Account as AccountModel
from models.accounts.people import Agency as AgencyModel
from models.accounts.people import Client as ClientModel
from models.accounts.people import Worker as WorkerModel
from models.enums import Role as RoleEnum
from models.enums import VatRegime as VatRegimeEnum
from resolvers.accounts import signup as accounts
from resolvers.accounts.passwords import age_days
from resolvers.agency.opening_hours import opening_hours as hours_of
from resolvers.core import lookups
from resolvers.messaging import conversations
from resolvers.privacy import profile
from schema.agency.policy import OpeningSpan
from schema.core.common import Node, UserErrorType, user_errors
from schema.core.context import Context, Info
from schema.core.ids import from_global_id, to_global_id
from schema.engine import plans
from schema.engine.row_fields import Fetched, Part, column, columns, global_id
from schema.engine.rows import RowType
from services.passwords import RECOMMENDED_CHANGE_DAYS

Role = strawberry.enum(RoleEnum, name="Role", description="What an account is allowed to do.")


VatRegime = strawberry.enum(
    VatRegimeEnum, name="VatRegime", description="SUBJECT: VAT charged; EXEMPT: art. 293 B CGI."
)


@strawberry.type
class Address:
    line1: str
    line2: str
    postal_code: str
    city: str
    country: str


@strawberry.type(
    description="An agency as its staff, workers and households see it: legal identity "
    "and contact details."
)
class Agency(Node):
    name: str
    time_zone: str
    sap_number: str
    legal_name: str = strawberry.field(description="Registered name; empty: same as `name`.")
    address: Address = strawberry.field(description="Postal address printed on invoices.")
    phone: str = strawberry.field(description="E.164, empty when not given.")
    email: str
    siret: str
    sap_declared_on: date | None = strawberry.field(description="SAP declaration date.")
    vat_regime: VatRegime  # type: ignore[valid-type]
    pk: strawberry.Private[int]

    @strawberry.field(description="When the agency answers, on its own wall clock.")
    async def opening_hours(self) -> list[OpeningSpan]:
        return [OpeningSpan.from_span(span) for span in await hours_of(self.pk)]

    @classmethod
    def from_model(cls, agency: AgencyModel) -> Agency:
        return AGENCY_ROWS.from_model(agency)


def _france(_: int) -> str:
    return "FR"


# Declared once, for both ways of answering (schema/engine/rows.py): graphql-core's
# objects are built from it, and the planner reads an account's agency (`me { agency }`)
# from these columns.
AGENCY_ROWS = RowType(
    Agency,
    {
        "id": global_id("id", "Agency"),
        "pk": column("id"),
        "name": column("name"),
        "time_zone": column("time_zone"),
        "sap_number": column("sap_number"),
        "legal_name": column("legal_name"),
        "address": Part(
            RowType(
                Address,
                {
                    "line1": column("address_line1"),
                    "line2": column("address_line2"),
                    "postal_code": column("postal_code"),
                    "city": column("city"),
                    "country": column("id", _france),  # agencies are French
                },
            )
        ),
        "phone": column("phone"),
        "email": column("email"),
        "siret": column("siret"),
        "sap_declared_on": column("sap_declared_on"),
        "vat_regime": column("vat_regime"),
    },
)


async def _agencies(context: Any, columns: Sequence[str], ids: list[int]) -> Mapping[int, Any]:
    """The agencies of a level's accounts, as the `agency` resolver reads them (by id)."""
    return await lookups.agency_rows(ids, columns)


@strawberry.type
class Account(Node):
    email: str
    role: Role  # type: ignore[valid-type]
    first_name: str
    last_name: str
    phone: str
    email_verified: bool
    password_age_days: int = strawberry.field(description="Days since the password was set.")
    password_change_recommended: bool = strawberry.field(
        description="True after six months: a change is recommended, never enforced."
    )
    _client_id: strawberry.Private[int | None]
    _worker_id: strawberry.Private[int | None]
    _agency_id: strawberry.Private[int | None]

    @classmethod
    def from_model(
        cls, account: AccountModel, client_id: int | None = None, worker_id: int | None = None
    ) -> Account:
        given = {"_client_id": client_id, "_worker_id": worker_id, "_agency_id": account.agency_id}
        return ACCOUNT_ROWS.from_model(account, given=given)

    @classmethod
    def from_record(cls, record: accounts.AccountRecord) -> Account:
        return cls.from_model(record.account, record.client_id, record.worker_id)

    @strawberry.field
    def display_name(self) -> str:
        return _display_name(self.first_name, self.last_name)

    @strawberry.field
    def client(self) -> ClientRef | None:
        if self._client_id is None:
            return None
        return ClientRef(id=strawberry.ID(to_global_id("Client", self._client_id)))

    @strawberry.field
    def worker(self) -> WorkerRef | None:
        if self._worker_id is None:
            return None
        return WorkerRef(id=strawberry.ID(to_global_id("Worker", self._worker_id)))

    @strawberry.field(
        description="Messages from the other side not read yet: from the agency for a client, "
        "from the agency's clients for staff. Null on anyone else's account."
    )
    async def unread_messages(self, info: Info) -> int | None:
        viewer = info.context.viewer
        if viewer is None or self.id != to_global_id("Account", viewer.account_id):
            return None
        return await conversations.unread_count(viewer)

    @strawberry.field
    async def agency(self, info: Info) -> Agency | None:
        if self._agency_id is None:
            return None
        agency = await info.context.loaders.agency_by_id.load(self._agency_id)
        return Agency.from_model(agency) if agency else None


@strawberry.type(description="A client as seen from its own account.")
class ClientRef:
    id: strawberry.ID


@strawberry.type(description="A worker as seen from its own account.")
class WorkerRef:
    id: strawberry.ID


def _display_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name[:1]}."


def _change_recommended(changed_at: datetime) -> bool:
    return age_days(changed_at) >= RECOMMENDED_CHANGE_DAYS


# Declared once, for both ways of answering (schema/engine/rows.py). `me` is planned: its
# row is the account's columns with the ids of its client and worker records; the agency
# and the unread count are read by their resolvers (a selection with them is not planned).
ACCOUNT_ROWS = RowType(
    Account,
    {
        "id": global_id("id", "Account"),
        "email": column("email"),
        "role": column("role"),
        "first_name": column("first_name"),
        "last_name": column("last_name"),
        "phone": column("phone"),
        "email_verified": column("email_verified_at", lambda at: at is not None),
        "password_age_days": column("password_changed_at", age_days),
        "password_change_recommended": column("password_changed_at", _change_recommended),
    },
    computed={
        "display_name": columns("first_name", "last_name", read=_display_name),
        "client": Part(RowType(ClientRef, {"id": global_id("client_id", "Client")}), "client_id"),
        "worker": Part(RowType(WorkerRef, {"id": global_id("worker_id", "Worker")}), "worker_id"),
    },
    fetched={"agency": Fetched(AGENCY_ROWS, key="agency_id", fetch=_agencies)},
)


async def _me_row(context: Context, columns: tuple[str, ...]) -> dict[str, Any] | None:
    """`me` as a row of `ACCOUNT_ROWS`: None when nobody is signed in."""
    return await accounts.me_row(context.viewer, columns)


@strawberry.type
class Client(Node):
    client_number: str
    billing_address: Address
    account: Account
    created_at: datetime

    @classmethod
    def from_model(cls, client: ClientModel, account: AccountModel | None = None) -> Client:
        """`account`: the client's, when read apart (else the related one, fetched)."""
        account_type = Account.from_model(account or client.account, client_id=client.id)
        return CLIENT_ROWS.from_model(client, given={"account": account_type})

    @strawberry.field(description="Shorter reply promise and first in the staff queue.")
    async def premium(self, info: Info) -> bool:
        return await info.context.loaders.premium_by_client_id.load(from_global_id(self.id)[1])


@strawberry.type
class Worker(Node):
    employee_number: str
    account: Account

    @classmethod
    def from_model(cls, worker: WorkerModel, account: AccountModel) -> Worker:
        account_type = Account.from_model(account, worker_id=worker.id)
        return WORKER_ROWS.from_model(worker, given={"account": account_type})


# Declared once, for both ways of answering (schema/engine/rows.py); `node(id:)` answers
# them from rows (schema/core/nodes.py). The account is read apart: never planned.
CLIENT_ROWS = RowType(
    Client,
    {
        "id": global_id("id", "Client"),
        "client_number": column("client_number"),
        "billing_address": Part(
            RowType(
                Address,
                {
                    "line1": column("billing_line1"),
                    "line2": column("billing_line2"),
                    "postal_code": column("billing_postal_code"),
                    "city": column("billing_city"),
                    "country": column("billing_country"),
                },
            )
        ),
        "created_at": column("created_at"),
    },
    given=("account",),
)
WORKER_ROWS = RowType(
    Worker,
    {"id": global_id("id", "Worker"), "employee_number": column("employee_number")},
    given=("account",),
)


@strawberry.input
class AddressInput:
    line1: str
    postal_code: str
    city: str
    line2: str | None = None
    country: str = "FR"


@strawberry.input
class SignUpInput:
    first_name: str
    last_name: str
    email: str
    phone: str
    password: str
    billing_address: AddressInput


@strawberry.type
class SignUpPayload:
    account: Account | None = strawberry.field(
        description="The new account. When the e-mail already has an account, the answer "
        "looks the same (nothing is created, its owner is told by e-mail), so nobody else "
        "learns that it exists. Null with user errors."
    )
    user_errors: list[UserErrorType]


@strawberry.type
class VerifyEmailPayload:
    account: Account | None
    user_errors: list[UserErrorType]


@strawberry.type
class ResendVerificationPayload:
    ok: bool
    user_errors: list[UserErrorType]


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in account, or null when anonymous.")
    async def me(self, info: Info) -> Account | None:
        record = await accounts.me(info.context.viewer)
        return Account.from_record(record) if record else None


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Creates a client account; sends a verification e-mail.")
    async def sign_up(self, info: Info, input: SignUpInput) -> SignUpPayload:
        address = input.billing_address
        result = await accounts.sign_up(
            info.context.runtime,
            accounts.SignUpData(
                first_name=input.first_name,
                last_name=input.last_name,
                email=input.email,
                phone=input.phone,
                password=input.password,
                billing_address=accounts.AddressData(
                    line1=address.line1,
                    line2=address.line2,
                    postal_code=address.postal_code,
                    city=address.city,
                    country=address.country,
                ),
            ),
            info.context.meta,
        )
        account = Account.from_model(result.account) if result.account else None
        return SignUpPayload(account=account, user_errors=user_errors(result.user_errors))

    @strawberry.mutation(description="Consumes the single-use token of a verification e-mail.")
    async def verify_email(self, info: Info, token: str) -> VerifyEmailPayload:
        if token.startswith("eml_"):  # a changed address (resolvers/privacy/profile.py)
            account, errors = await profile.confirm_email_change(info.context.runtime, token)
        else:
            account, errors = await accounts.verify_email(
                info.context.runtime, token, info.context.meta
            )
        return VerifyEmailPayload(
            account=Account.from_model(account) if account else None,
            user_errors=user_errors(errors),
        )

    @strawberry.mutation(description="Sends a new verification e-mail (throttled).")
    async def resend_verification_email(self, info: Info) -> ResendVerificationPayload:
        errors = await accounts.resend_verification(info.context.runtime, info.context.viewer)
        return ResendVerificationPayload(ok=not errors, user_errors=user_errors(errors))


plans.plan_object("me", ACCOUNT_ROWS, _me_row)
