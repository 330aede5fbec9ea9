"""Rating a completed visit."""

from __future__ import annotations

from tests.factories import CHECK_IN, CHECK_OUT, schedule

RATE = """
mutation Rate($input: RateInterventionInput!) {
  rateIntervention(input: $input) { rating { id score comment } userErrors { field message code } }
}
"""


async def completed_visit(api, team) -> str:
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    for document in (CHECK_IN, CHECK_OUT):
        await api.data(
            document, {"input": {"interventionId": visit["id"]}}, token=team.worker_token
        )
    return str(visit["id"])
