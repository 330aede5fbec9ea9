"""The agency's legal identity and contact details (ADMIN): what invoices print."""

from __future__ import annotations

from datetime import date

import strawberry

from models.enums import VatRegime as VatRegimeEnum
from resolvers.agency import identity as agency_identity
from schema.accounts.accounts import Agency, VatRegime
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Info


@strawberry.input(description="Fields left out stay as they are; an empty string clears one.")
class UpdateAgencyIdentityInput:
    name: str | None = None
    legal_name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    phone: str | None = None
    email: str | None = None
    siret: str | None = strawberry.field(default=None, description="14 digits, checksum checked.")
    sap_number: str | None = None
    sap_declared_on: date | None = strawberry.field(default=None, description="Not in the future.")
    vat_regime: VatRegime | None = None  # type: ignore[valid-type]


@strawberry.type
class UpdateAgencyIdentityPayload:
    agency: Agency | None
    user_errors: list[UserErrorType]


@strawberry.type
class AgencyIdentityMutations:
    @strawberry.mutation(
        description="Sets the agency's legal identity and contact details (ADMIN). Nothing "
        "is stored unless every field given is valid."
    )
    async def update_agency_identity(
        self, info: Info, input: UpdateAgencyIdentityInput
    ) -> UpdateAgencyIdentityPayload:
        result = await agency_identity.update_for_admin(
            info.context.viewer,
            agency_identity.IdentityData(
                name=input.name,
                legal_name=input.legal_name,
                address_line1=input.address_line1,
                address_line2=input.address_line2,
                postal_code=input.postal_code,
                city=input.city,
                phone=input.phone,
                email=input.email,
                siret=input.siret,
                sap_number=input.sap_number,
                sap_declared_on=input.sap_declared_on,
                vat_regime=VatRegimeEnum(input.vat_regime) if input.vat_regime else None,
            ),
        )
        return UpdateAgencyIdentityPayload(
            agency=Agency.from_model(result.agency) if result.agency else None,
            user_errors=user_errors(result.user_errors),
        )
