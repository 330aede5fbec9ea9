"""A household's absences, declared through the API."""

from __future__ import annotations

from datetime import date
from typing import Any

DECLARE = """
mutation Declare($input: DeclareAbsenceInput!) {
  declareAbsence(input: $input) {
    absence { id from to note policy visits { interventionId toReschedule } }
    userErrors { field code }
  }
}
"""


async def declare(api, token, first: date, last: date, note: str = "") -> dict[str, Any]:
    values = {"from": first.isoformat(), "to": last.isoformat(), "note": note}
    return dict((await api.data(DECLARE, {"input": values}, token=token))["declareAbsence"])
