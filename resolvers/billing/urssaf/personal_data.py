"""A household's URSSAF data, for the export and the erasure of its personal data.

The enrolment holds identity, contact and bank details; the audit keeps the enrolment
calls (marked with the household). Payment requests stay: they are the accounting
trail of invoices (kept ten years), and hold no identity beyond URSSAF's id.
"""

from __future__ import annotations

from typing import Any

from models.billing.urssaf import UrssafEnrolment, UrssafExchange, UrssafPaymentRequest


async def export(client_id: int) -> dict[str, Any]:
    enrolment = await UrssafEnrolment.get_or_none(client_id=client_id)
    requests = await UrssafPaymentRequest.filter(client_id=client_id).order_by("id")
    return {
        "enrolment": None
        if enrolment is None
        else {
            "status": str(enrolment.status),
            "urssafId": enrolment.urssaf_id,
            "birthName": enrolment.birth_name,
            "usageName": enrolment.usage_name,
            "firstNames": enrolment.first_names,
            "birthDate": enrolment.birth_date.isoformat(),
            "birthCountryCode": enrolment.birth_country_code,
            "birthCommuneCode": enrolment.birth_commune_code,
            "birthCommuneLabel": enrolment.birth_commune_label,
            "address": ", ".join(
                part
                for part in (
                    f"{enrolment.street_number} {enrolment.street_name}".strip(),
                    enrolment.address_complement,
                    f"{enrolment.postal_code} {enrolment.commune_label}",
                )
                if part
            ),
            "email": enrolment.email,
            "mobile": enrolment.mobile,
            "iban": f"**** {enrolment.iban_last4}",
            "bic": enrolment.bic,
            "accountHolder": enrolment.account_holder,
        },
        "paymentRequests": [
            {"invoiceNumber": r.invoice_number, "statusCode": r.status_code, "reason": r.reason}
            for r in requests
        ],
    }


async def erase(client_id: int) -> None:
    await UrssafExchange.filter(client_id=client_id).delete()
    await UrssafEnrolment.filter(client_id=client_id).delete()
