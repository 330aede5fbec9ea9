"""Damage and incident claims: exported whole; erased once closed past their retention
(open claims, and those still within the limitation period, are kept as the law asks)."""

from __future__ import annotations

from datetime import datetime

from models.events import Event
from resolvers.care.claims_read import erase_household_claims, household_claims
from resolvers.privacy.registry import ExportPart, Household, register


async def export(h: Household) -> ExportPart:
    return ExportPart(await household_claims(h.client_id))


async def erase(h: Household, now: datetime) -> list[Event]:
    await erase_household_claims(h.client_id, now)
    return []


register("claims", export=export, erase=erase)
