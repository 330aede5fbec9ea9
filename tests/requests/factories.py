"""Change requests: the documents, asking and deciding, and listening to them live."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.client import WsClient
from tests.factories import EVENTS, HEAD, weekday_ahead
from tests.visits.factories import CREATE_PLAN

REQUEST = """
mutation Request($input: RequestChangeInput!) {
  requestChange(input: $input) {
    request {
      id kind status late autoApproved decisionReason resultInterventionId
      serviceTypeCode scheduledStart scheduledEnd durationMinutes
      checks { rule passed message }
    }
    userErrors { field message code }
  }
}
"""

REVIEW = """
mutation Review($input: ReviewChangeRequestInput!) {
  reviewChangeRequest(input: $input) {
    request { id status decisionReason autoApproved resultInterventionId }
    userErrors { field message code }
  }
}
"""

WITHDRAW = """
mutation Withdraw($input: CancelChangeRequestInput!) {
  cancelChangeRequest(input: $input) { request { id status } userErrors { field code } }
}
"""

PENDING = """
query Pending($first: Int, $after: String) {
  pendingChangeRequests(first: $first, after: $after) {
    edges { node { id kind checks { rule passed } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

VISIT = """
query Visit($id: ID!) {
  intervention(id: $id) { id status scheduledStart scheduledEnd cancellationReason
                          serviceType { code } worker { id } }
}
"""


async def ask(api, team, token=None, **values) -> dict[str, Any]:
    result = await api.data(REQUEST, {"input": values}, token=token or team.client)
    return dict(result["requestChange"])


async def ask_extra(api, team, slot: tuple[str, str], **more) -> dict[str, Any]:
    """An EXTRA_VISIT request (windows) in `slot` (start, end)."""
    start, end = slot
    return await ask(
        api,
        team,
        kind="EXTRA_VISIT",
        serviceTypeCode="WINDOWS",
        scheduledStart=start,
        scheduledEnd=end,
        **more,
    )


async def ask_slot(api, team, visit_id: str, slot: tuple[str, str], **more) -> dict[str, Any]:
    """A NEW_SLOT request moving `visit_id` to `slot` (start, end)."""
    start, end = slot
    return await ask(
        api,
        team,
        kind="NEW_SLOT",
        interventionId=visit_id,
        scheduledStart=start,
        scheduledEnd=end,
        **more,
    )


async def decide(api, team, request_id, decision="APPROVE", token=None, **more) -> dict[str, Any]:
    values = {"requestId": request_id, "decision": decision, **more}
    result = await api.data(REVIEW, {"input": values}, token=token or team.advisor)
    return dict(result["reviewChangeRequest"])


async def read_visit(api, team, visit_id) -> dict[str, Any]:
    return dict((await api.data(VISIT, {"id": visit_id}, token=team.advisor))["intervention"])


async def make_plan(api, team, weekday=1, start="09:00:00") -> tuple[str, date]:
    first = weekday_ahead(7, weekday)
    values = {
        "clientId": team.client_id,
        "workerId": team.worker_id,
        "serviceTypeCode": "REGULAR_CLEANING",
        "weekday": weekday,
        "startTime": start,
        "durationMinutes": 120,
        "validFrom": first.isoformat(),
    }
    result = await api.data(CREATE_PLAN, {"input": values}, token=team.advisor)
    assert result["createRecurringPlan"]["userErrors"] == []
    return str(result["createRecurringPlan"]["plan"]["id"]), first


REQUEST_EVENTS = """
subscription Requests($since: String) {
  requestEvents(since: $since) {
    cursor type occurredAt subjectId
    request { id status kind decisionReason }
  }
}
"""


async def listen(api, token: str) -> tuple[WsClient, str, str]:
    head = (await api.data(HEAD, token=token))["interventionEventsCursor"]
    ws = await WsClient.connect(api, token=token)
    await ws.ack()
    requests = await ws.subscribe(REQUEST_EVENTS, {"since": head})
    visits = await ws.subscribe(EVENTS, {"since": head})
    return ws, requests, visits


async def received(ws: WsClient, count: int) -> list[tuple[str, dict[str, Any]]]:
    """The next `count` events on the socket, as (operation id, data)."""
    out = []
    for _ in range(count):
        message = await ws.receive()
        assert message["type"] == "next" and "errors" not in message["payload"], message
        out.append((message["id"], next(iter(message["payload"]["data"].values()))))
    return out
