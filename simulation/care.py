"""Care beyond the visit in the demo day: a household reports damage after a visit and
the advisor settles it; the premium household asks to be called back and the advisor
logs the call. All through the public API, step by step on the simulated clock."""

from __future__ import annotations

import base64
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from simulation.phone import Phone
from simulation.seed.demo import DEMO_PASSWORD, PREMIUM_CLIENT, client_email

if TYPE_CHECKING:
    from simulation.day import Simulation

log = logging.getLogger("passage.simulate")

REPORT = """mutation Report($input: ReportClaimInput!) {
  reportClaim(input: $input) { claim { id status } userErrors { field code message } }
}"""
ACKNOWLEDGE = """mutation Ack($input: ClaimIdInput!) {
  acknowledgeClaim(input: $input) { claim { id status } userErrors { field code message } }
}"""
INVESTIGATE = """mutation Investigate($input: InvestigateClaimInput!) {
  investigateClaim(input: $input) { claim { id status } userErrors { field code message } }
}"""
SETTLE = """mutation Settle($input: SettleClaimInput!) {
  settleClaim(input: $input) { claim { id status } userErrors { field code message } }
}"""
CALL_ME = """mutation CallMe($input: RequestCallbackInput!) {
  requestCallback(input: $input) { request { id dueAt } userErrors { field code message } }
}"""
LOG_CALL = """mutation LogCall($input: LogCallbackInput!) {
  logCallback(input: $input) { request { id outcome } userErrors { field code message } }
}"""
# A 1×1 transparent PNG: the photo of the damage.
PHOTO = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5f0000000049454e44ae426082"
    )
).decode()


async def report_damage(sim: Simulation, household: Phone, visit: dict[str, Any]) -> None:
    """The household that rated a visit notices a chipped vase; the advisor follows up."""
    if "reportClaim" not in sim.offered:
        sim.skip("the server has no reportClaim mutation yet: no claim")
        return
    payload = await household.mutate(
        REPORT,
        "reportClaim",
        {
            "interventionId": visit["id"],
            "description": "Le pied du vase de l'entrée est ébréché depuis le passage.",
            "location": "Entrée",
            "noticedAt": sim.sim_now().isoformat(),
            "estimatedValue": "85.00",
            "attachments": [{"filename": "vase.png", "contentBase64": PHOTO}],
        },
    )
    claim = payload["claim"]["id"]
    sim.report.claims += 1
    log.info("%s reported damage after the visit", household.email)

    def staff_step(document: str, name: str, values: dict[str, Any]) -> Any:
        async def run() -> None:
            await sim.advisor.mutate(document, name, {"claimId": claim, **values})
            sim.report.claim_steps += 1

        return run

    now = sim.sim_now()
    sim.at(now + timedelta(minutes=10), "the advisor acknowledges the claim",
           staff_step(ACKNOWLEDGE, "acknowledgeClaim", {}))  # fmt: skip
    account = {
        "workerAccount": "Le vase a heurté le manche de l'aspirateur.",
        "insurerReference": "SIN-DEMO-0001",
    }
    sim.at(now + timedelta(minutes=40), "the advisor records the worker's account",
           staff_step(INVESTIGATE, "investigateClaim", account))  # fmt: skip
    repaired = {"outcome": "REPAIRED", "reason": "Recollé par un restaurateur, sans frais."}
    sim.at(now + timedelta(minutes=90), "the advisor settles the claim",
           staff_step(SETTLE, "settleClaim", repaired))  # fmt: skip


async def ask_callback(sim: Simulation) -> None:
    """The premium household asks to be called back; the advisor calls and logs it."""
    if "requestCallback" not in sim.offered:
        sim.skip("the server has no requestCallback mutation yet: no call-back")
        return
    household = await Phone(sim.http, client_email(PREMIUM_CLIENT)).sign_in(DEMO_PASSWORD)
    now = sim.sim_now()
    slot = {
        "start": (now + timedelta(minutes=20)).isoformat(),
        "end": (now + timedelta(hours=3)).isoformat(),
    }
    payload = await household.mutate(
        CALL_ME,
        "requestCallback",
        {
            "topic": "BILLING",
            "urgency": "URGENT",
            "slots": [slot],
            "note": "Une question sur l'avance immédiate de ma dernière facture.",
        },
    )
    request = payload["request"]["id"]
    sim.report.callbacks += 1
    log.info("%s asked to be called back", household.email)

    async def call() -> None:
        await sim.advisor.mutate(
            LOG_CALL,
            "logCallback",
            {"requestId": request, "outcome": "RESOLVED", "note": "Facture expliquée."},
        )
        sim.report.calls += 1

    sim.at(now + timedelta(minutes=35), "the advisor calls back and logs the call", call)
