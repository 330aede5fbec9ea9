"""Messages between a household and its agency: a team, sending, and the live stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.accounts.people import Account, AgencyPostalPrefix, Client
from models.enums import Role
from schema.core.ids import from_global_id, to_global_id
from services.clock import utcnow
from tests import factories
from tests.client import WsClient
from tests.factories import HEAD, Agency

SEND = """
mutation SendMessage($input: SendMessageInput!) {
  sendMessage(input: $input) {
    message { id body sentAt author { id } conversation { id responseDueAt } }
    userErrors { field message code }
  }
}
"""

SEND_FULL = """
mutation SendMessage($input: SendMessageInput!) {
  sendMessage(input: $input) {
    message {
      id body fromAgency readByClientAt readByAgencyAt responseDueAt
      author { id displayName fromAgency }
      intervention { id }
      attachments { id filename contentType size url }
      conversation { id waitingSince responseDueAt overdue premium }
    }
    userErrors { field message code }
  }
}
"""

EVENTS = """
subscription Messages($since: String) {
  messageEvents(since: $since) { cursor message { id body } }
}
"""

EVENTS_FULL = """
subscription Messages($since: String) {
  messageEvents(since: $since) {
    cursor type occurredAt
    message { id body fromAgency author { id } }
    conversation { id responseDueAt overdue }
  }
}
"""

MY_CONVERSATION = """
query Mine($first: Int, $after: String) {
  me { unreadMessages }
  myConversation {
    id unreadCount responseDueAt
    messages(first: $first, after: $after) {
      edges { cursor node { id body fromAgency readByClientAt readByAgencyAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

CONVERSATIONS = """
query Conversations($first: Int, $after: String) {
  me { unreadMessages }
  conversations(first: $first, after: $after) {
    edges { cursor node { id unreadCount client { id } lastMessageAt assignedToMe } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

MARK_READ = """
mutation Read($input: MarkConversationReadInput!) {
  markConversationRead(input: $input) {
    conversation { id unreadCount }
    userErrors { field message code }
  }
}
"""


@dataclass
class Team:
    """An agency of its own (a fresh queue) with an advisor, a worker and a verified client."""

    agency_id: int
    base: Agency
    prefix: str
    advisor_email: str = ""

    @property
    def staff_token(self) -> str:
        return self.base.staff_token

    @property
    def client_token(self) -> str:
        return self.base.client_token

    @property
    def worker_token(self) -> str:
        return self.base.worker_token

    @property
    def client_id(self) -> str:
        return self.base.client_id


async def verify(client_gid: str) -> Account:
    client = await Client.get(id=from_global_id(client_gid)[1]).select_related("account")
    client.account.email_verified_at = utcnow()
    await client.account.save(update_fields=["email_verified_at"])
    factories.sessions_changed()
    return client.account


async def new_client(api, team: Team, verified: bool = True) -> tuple[str, str]:
    """Another client of the team's agency: (token, client global id)."""
    email, _ = await factories.client(
        api,
        billingAddress={
            "line1": "1 rue Haute",
            "postalCode": factories.postal_code(team.prefix),
            "city": "X",
        },
    )
    client = await Client.get(account__email=email)
    gid = to_global_id("Client", client.id)
    if verified:
        await verify(gid)
    return await factories.log_in(api, email), gid


async def new_team(api, settings) -> Team:
    agency_id = await factories.agency(settings)
    prefix = (await AgencyPostalPrefix.get(agency_id=agency_id)).prefix
    base = Agency()
    advisor = await factories.staff(settings, agency_id, Role.ADVISOR)
    worker = await factories.staff(settings, agency_id, Role.WORKER)
    base.staff_token = await factories.log_in(api, advisor)
    base.worker_token = await factories.log_in(api, worker)
    team = Team(agency_id, base, prefix, advisor)
    base.client_token, base.client_id = await new_client(api, team)
    from models.accounts.people import Worker

    base.worker_id = to_global_id("Worker", (await Worker.get(account__email=worker)).id)
    return team


async def send(api, token: str, body: str, **extra: Any) -> dict[str, Any]:
    result = await api.data(SEND_FULL, {"input": {"body": body, **extra}}, token=token)
    return dict(result["sendMessage"])


async def subscribe(api, token: str, document: str = EVENTS_FULL) -> tuple[WsClient, str]:
    head = (await api.data(HEAD, token=token))["interventionEventsCursor"]
    ws = await WsClient.connect(api, token=token)
    await ws.ack()
    return ws, await ws.subscribe(document, {"since": head})


async def next_event(ws: WsClient, op_id: str, timeout: float = 5.0) -> dict[str, Any]:
    message = await ws.receive(timeout)
    assert message["type"] == "next" and message["id"] == op_id, message
    assert "errors" not in message["payload"], message
    return dict(message["payload"]["data"]["messageEvents"])


async def nothing_more(ws: WsClient, timeout: float = 0.4) -> bool:
    try:
        await ws.receive(timeout)
    except TimeoutError:
        return True
    return False
