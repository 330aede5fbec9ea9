"""The immediate advance's enrolment (identity, birth place, bank details) and its
exchange trail; payment requests stay with the invoices they belong to."""

from __future__ import annotations

from datetime import datetime

from models.events import Event
from resolvers.billing.urssaf import personal_data
from resolvers.privacy.registry import ExportPart, Household, register


async def export(h: Household) -> ExportPart:
    return ExportPart(await personal_data.export(h.client_id))


async def erase(h: Household, now: datetime) -> list[Event]:
    await personal_data.erase(h.client_id)
    return []


register("urssaf", export=export, erase=erase)
