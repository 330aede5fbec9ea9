"""The household: billing address, places of the visits, preferences and needs."""

from __future__ import annotations

from datetime import datetime

from models.accounts.people import Client
from models.billing.tax_credit import ClientBillingProfile
from models.events import Event
from models.households.profile import HouseholdProfile
from models.visits.visits import Address
from resolvers.privacy.registry import ExportPart, Household, iso, register

PROFILE_FIELDS = (
    "favour_products",
    "avoid_products",
    "preferred_slots",
    "instructions",
    "reduced_mobility",
    "large_family",
    "pets",
    "allergies",
    "other_needs",
)


async def export(h: Household) -> ExportPart:
    client = await Client.get(id=h.client_id)
    addresses = await Address.filter(client_id=h.client_id).values(
        "label", "line1", "line2", "postal_code", "city", "country", "is_billing", "removed_at"
    )
    profile = await HouseholdProfile.filter(client_id=h.client_id).values(*PROFILE_FIELDS)
    billing = await ClientBillingProfile.filter(client_id=h.client_id).values(
        "service_mode", "advance_enrolled", "dependants", "members_over_65", "disability"
    )
    return ExportPart(
        {
            "clientNumber": client.client_number,
            "createdAt": iso(client.created_at),
            "billingAddress": {
                "line1": client.billing_line1,
                "line2": client.billing_line2,
                "postalCode": client.billing_postal_code,
                "city": client.billing_city,
                "country": client.billing_country,
            },
            "addresses": addresses,
            # Access codes are left out: they are never shown back, even to the household.
            "preferencesAndNeeds": profile[0] if profile else None,
            "taxCreditProfile": billing[0] if billing else None,
        }
    )


async def erase(h: Household, now: datetime) -> list[Event]:
    # The invoices keep their own copy of name and address (the legal archive).
    await Client.filter(id=h.client_id).update(
        billing_line1="", billing_line2="", billing_postal_code="", billing_city="", erased_at=now
    )
    # Rows stay for the visits made there; what located the home goes.
    await Address.filter(client_id=h.client_id).update(
        label="",
        line1="",
        line2="",
        postal_code="",
        city="",
        latitude=None,
        longitude=None,
        removed_at=now,
    )
    await HouseholdProfile.filter(client_id=h.client_id).delete()
    await ClientBillingProfile.filter(client_id=h.client_id).update(
        dependants=0, members_over_65=0, disability=False
    )
    return []


register("household", export=export, erase=erase)
