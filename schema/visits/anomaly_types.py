"""The attendance anomaly as the API shows it (on the visit and in lists)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.enums import AnomalyKind as AnomalyKindEnum
from resolvers.visits import anomalies
from schema.core.ids import to_global_id

AnomalyKind = strawberry.enum(AnomalyKindEnum, name="AnomalyKind")


@strawberry.type(description="A check-in or check-out to look at twice; a correction resolves it.")
class AttendanceAnomaly:
    id: strawberry.ID
    intervention_id: strawberry.ID
    kind: AnomalyKind  # type: ignore[valid-type]
    label: str = strawberry.field(description="The kind in French, for display.")
    detail: str
    detected_at: datetime
    resolved: bool
    resolved_at: datetime | None
    correction_id: strawberry.ID | None = strawberry.field(
        description="The staff correction that resolved it."
    )

    @classmethod
    def from_view(cls, view: anomalies.AnomalyView) -> AttendanceAnomaly:
        return cls(
            id=strawberry.ID(to_global_id("AttendanceAnomaly", view.id)),
            intervention_id=strawberry.ID(to_global_id("Intervention", view.intervention_id)),
            kind=view.kind,
            label=view.label,
            detail=view.detail,
            detected_at=view.detected_at,
            resolved=view.resolved_at is not None,
            resolved_at=view.resolved_at,
            correction_id=strawberry.ID(to_global_id("AttendanceCorrection", view.correction_id))
            if view.correction_id
            else None,
        )
