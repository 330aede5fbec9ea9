"""What households do in the demo day besides being visited, and how the agency answers:
a client writes and the advisor replies; a client asks for a new slot and the advisor
reviews it. All through the public API, as their screens would."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from simulation.phone import (
    COMING,
    REQUEST_CHANGE,
    REVIEW,
    SEND_MESSAGE,
    GraphQLFailure,
    Phone,
)
from simulation.seed.demo import DEMO_PASSWORD

if TYPE_CHECKING:
    from simulation.day import Simulation

log = logging.getLogger("passage.simulate")

QUESTION = "Bonjour, pourriez-vous insister sur les vitres de la cuisine ? Merci."
ANSWER = "Bonjour, c’est noté : nous le signalons à votre intervenant. Bonne journée !"
REASON = "Ce créneau n’est plus libre : votre conseiller vous propose une autre date par message."
ASKING_HOUSEHOLDS = 6  # households tried in turn for a visit that can still move
SHIFTS = (
    timedelta(hours=1),
    timedelta(hours=-1),
    timedelta(hours=2),
    timedelta(days=1),
    timedelta(days=2),
)


async def write_and_answer(sim: Simulation) -> None:
    """A household writes to the agency; the advisor answers ten simulated minutes later."""
    if "sendMessage" not in sim.offered:
        sim.skip("the server has no sendMessage mutation yet: no message sent")
        return
    household = await Phone(sim.http, next(iter(sim.clients.values()))).sign_in(DEMO_PASSWORD)
    sent = await household.mutate(SEND_MESSAGE, "sendMessage", {"body": QUESTION})
    sim.report.messages += 1
    log.info("%s wrote to the agency", household.email)
    conversation = sent["message"]["conversation"]["id"]

    async def answer() -> None:
        await sim.advisor.mutate(
            SEND_MESSAGE, "sendMessage", {"body": ANSWER, "conversationId": conversation}
        )
        sim.report.replies += 1

    sim.at(sim.sim_now() + timedelta(minutes=10), "the advisor answers the message", answer)


async def ask_new_slot_and_review(sim: Simulation) -> None:
    """A household asks to move a coming visit; the advisor approves (or, if the worker
    is no longer free then, rejects with a reason the household reads)."""
    if "requestChange" not in sim.offered:
        sim.skip("the server has no requestChange mutation yet: no reschedule request")
        return
    request = await _ask(sim)
    if request is None:
        sim.skip("no household had a visit far enough ahead to move")
        return
    sim.report.requests += 1
    if request["status"] != "PENDING":
        return  # the agency approves on its own (autoApprove)

    async def review() -> None:
        try:
            await sim.advisor.mutate(
                REVIEW, "reviewChangeRequest", {"requestId": request["id"], "decision": "APPROVE"}
            )
        except GraphQLFailure as refused:
            log.info("the new slot cannot be approved (%s): rejected", refused)
            await sim.advisor.mutate(
                REVIEW,
                "reviewChangeRequest",
                {"requestId": request["id"], "decision": "REJECT", "reason": REASON},
            )
        sim.report.reviews += 1

    sim.at(sim.sim_now() + timedelta(minutes=15), "the advisor reviews the request", review)


async def _ask(sim: Simulation) -> dict[str, Any] | None:
    now = sim.sim_now().astimezone(sim.zone)
    window = {
        "from": (now + timedelta(days=3)).isoformat(),
        "to": (now + timedelta(days=14)).isoformat(),
    }
    for email in list(sim.clients.values())[:ASKING_HOUSEHOLDS]:
        household = await Phone(sim.http, email).sign_in(DEMO_PASSWORD)
        visits = [
            e["node"] for e in (await household.call(COMING, window))["interventions"]["edges"]
        ]
        for visit in visits:
            start = datetime.fromisoformat(visit["scheduledStart"]).astimezone(sim.zone)
            length = datetime.fromisoformat(visit["scheduledEnd"]).astimezone(sim.zone) - start
            for shift in SHIFTS:
                begin = start + shift
                values = {
                    "kind": "NEW_SLOT",
                    "interventionId": visit["id"],
                    "scheduledStart": begin.isoformat(),
                    "scheduledEnd": (begin + length).isoformat(),
                    "note": "Un rendez-vous ce jour-là : un autre créneau nous arrangerait.",
                }
                try:
                    payload = await household.mutate(REQUEST_CHANGE, "requestChange", values)
                except GraphQLFailure as refused:
                    log.debug("new slot refused (%s)", refused)
                    continue
                log.info("%s asked to move a visit to %s", email, begin.strftime("%d/%m %H:%M"))
                request: dict[str, Any] = payload["request"]
                return request
    return None
