"""The services an agency offers."""

from __future__ import annotations

from models.visits.visits import ServiceType


async def service_types() -> list[ServiceType]:
    return await ServiceType.filter(active=True).order_by("id")
