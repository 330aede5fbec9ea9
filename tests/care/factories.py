"""Damage claims: the documents and a claim's input."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from models.visits.visits import Intervention
from schema.core.ids import to_global_id

FIELDS = """
id status description location noticedAt estimatedValue insurerReference reimbursedAmount
outcomeNote acknowledgedAt closedAt retainedUntil workerAccount
attachments { filename contentType size }
"""

REPORT = f"""
mutation Report($input: ReportClaimInput!) {{
  reportClaim(input: $input) {{ claim {{ {FIELDS} }} userErrors {{ field code message }} }}
}}
"""

ACKNOWLEDGE = f"""
mutation Ack($input: ClaimIdInput!) {{
  acknowledgeClaim(input: $input) {{ claim {{ {FIELDS} }} userErrors {{ field code }} }}
}}
"""

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()

PDF = base64.b64encode(b"%PDF-1.7\n" + b"1" * 100).decode()


def report_input(visit: Intervention, **overrides: Any) -> dict[str, Any]:
    noticed = (visit.checked_out_at or visit.scheduled_end) + timedelta(minutes=30)
    values = {
        "interventionId": to_global_id("Intervention", visit.id),
        "description": "Le vase bleu de l'entrée est fêlé.",
        "location": "Entrée",
        "noticedAt": noticed.isoformat(),
        "estimatedValue": "120.50",
        "attachments": [
            {"filename": "vase.png", "contentBase64": PNG},
            {"filename": "facture.pdf", "contentBase64": PDF},
        ],
    }
    return {**values, **overrides}
