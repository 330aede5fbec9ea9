"""Rectification: one's own name, phone, e-mail, addresses; staff on a household's request."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.visits.visits import Address as AddressModel
from resolvers.privacy import profile
from schema.accounts.accounts import Account
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Info
from schema.core.ids import expect_id, to_global_id


@strawberry.type
class HouseholdAddress:
    id: strawberry.ID
    label: str
    line1: str
    line2: str
    postal_code: str
    city: str
    is_billing: bool

    @classmethod
    def of(cls, row: AddressModel) -> HouseholdAddress:
        return cls(
            id=strawberry.ID(to_global_id("Address", row.id)),
            label=row.label,
            line1=row.line1,
            line2=row.line2,
            postal_code=row.postal_code,
            city=row.city,
            is_billing=row.is_billing,
        )


@strawberry.input
class UpdateProfileInput:
    """Omitted fields stay as they are. With `clientId`, staff edit a household's
    (on its request; audited)."""

    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    client_id: strawberry.ID | None = None


@strawberry.input
class RequestEmailChangeInput:
    new_email: str
    password: str


@strawberry.input
class PlaceInput:
    label: str = ""
    line1: str = ""
    line2: str = ""
    postal_code: str = ""
    city: str = ""


@strawberry.input
class AddAddressInput:
    address: PlaceInput
    client_id: strawberry.ID | None = None


@strawberry.input
class UpdateAddressInput:
    id: strawberry.ID
    address: PlaceInput
    client_id: strawberry.ID | None = None


@strawberry.input
class RemoveAddressInput:
    id: strawberry.ID
    client_id: strawberry.ID | None = None


@strawberry.type
class UpdateProfilePayload:
    account: Account | None
    user_errors: list[UserErrorType]


@strawberry.type
class RequestEmailChangePayload:
    ok: bool
    user_errors: list[UserErrorType]


@strawberry.type
class AddressPayload:
    address: HouseholdAddress | None
    flagged_visits: int = strawberry.field(
        description="Planned visits at a removed address, flagged for staff to move."
    )
    user_errors: list[UserErrorType]


def _client(raw: strawberry.ID | None) -> int | None:
    return expect_id(raw, "Client") if raw else None


def _data(a: PlaceInput) -> profile.AddressData:
    if max(len(a.label), len(a.line1), len(a.line2), len(a.postal_code), len(a.city)) > 300:
        a = PlaceInput()  # refused by validation below, without echoing huge input
    return profile.AddressData(a.label, a.line1, a.line2, a.postal_code, a.city)


def _address(result: profile.AddressResult) -> AddressPayload:
    return AddressPayload(
        address=HouseholdAddress.of(result.address) if result.address else None,
        flagged_visits=result.flagged_visits,
        user_errors=user_errors(result.user_errors),
    )


@strawberry.type
class VisitAddressFlag:
    intervention_id: strawberry.ID
    reason: str
    created_at: datetime


@strawberry.type
class ProfileQueries:
    @strawberry.field(
        description="Planned visits whose address the household removed: to move (ADVISOR, ADMIN)."
    )
    async def visit_address_flags(self, info: Info) -> list[VisitAddressFlag]:
        return [
            VisitAddressFlag(
                intervention_id=strawberry.ID(to_global_id("Intervention", row.intervention_id)),
                reason=row.reason,
                created_at=row.created_at,
            )
            for row in await profile.flagged_visits(info.context.viewer)
        ]

    @strawberry.field(description="The household's addresses (CLIENT; staff with clientId).")
    async def my_addresses(
        self, info: Info, client_id: strawberry.ID | None = None
    ) -> list[HouseholdAddress]:
        rows = await profile.addresses(info.context.viewer, _client(client_id))
        return [HouseholdAddress.of(row) for row in rows]


@strawberry.type
class ProfileMutations:
    @strawberry.mutation(description="Name and phone: one's own, or a household's (staff).")
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> UpdateProfilePayload:
        for value in (input.first_name, input.last_name, input.phone):
            if value is not None and len(value) > 200:
                return UpdateProfilePayload(
                    account=None,
                    user_errors=[UserErrorType(field=None, message="Trop long.", code="TOO_LONG")],  # type: ignore[call-arg]
                )
        result = await profile.update_person(
            info.context.viewer,
            profile.PersonChange(input.first_name, input.last_name, input.phone),
            _client(input.client_id),
        )
        return UpdateProfilePayload(
            account=Account.from_model(result.account) if result.account else None,
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(
        description="E-mails a link to the new address; it replaces the old one once followed."
    )
    async def request_email_change(
        self, info: Info, input: RequestEmailChangeInput
    ) -> RequestEmailChangePayload:
        errors = await profile.request_email_change(
            info.context.runtime,
            info.context.viewer,
            input.new_email[:300],
            input.password,
            info.context.meta,
        )
        return RequestEmailChangePayload(ok=not errors, user_errors=user_errors(errors))

    @strawberry.mutation(description="Adds a place where visits can happen.")
    async def add_address(self, info: Info, input: AddAddressInput) -> AddressPayload:
        return _address(
            await profile.add_address(
                info.context.viewer, _data(input.address), _client(input.client_id)
            )
        )

    @strawberry.mutation(description="Edits an address; visits planned there follow it.")
    async def update_address(self, info: Info, input: UpdateAddressInput) -> AddressPayload:
        return _address(
            await profile.update_address(
                info.context.viewer,
                expect_id(input.id, "Address"),
                _data(input.address),
                _client(input.client_id),
            )
        )

    @strawberry.mutation(description="Removes an address; visits planned there are flagged.")
    async def remove_address(self, info: Info, input: RemoveAddressInput) -> AddressPayload:
        return _address(
            await profile.remove_address(
                info.context.viewer, expect_id(input.id, "Address"), _client(input.client_id)
            )
        )
