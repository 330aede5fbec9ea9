"""DataLoaders, created once per request, named `<Thing>By<Key>Loader`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from models.accounts.people import Account, Agency
from models.billing.invoices import InvoiceLine
from models.messaging import Conversation, Message
from models.ratings import Rating
from resolvers.billing import invoices
from resolvers.core import lookups
from resolvers.core.runtime import Viewer
from resolvers.messaging import conversations
from resolvers.ratings import ratings
from resolvers.visits import anomalies


def AgencyByIdLoader() -> DataLoader[int, Agency | None]:
    return DataLoader(load_fn=lookups.agencies_by_ids)


def AccountByIdLoader() -> DataLoader[int, Account | None]:
    return DataLoader(load_fn=lookups.accounts_by_ids)


def InvoiceLinesByInvoiceLoader() -> DataLoader[int, list[InvoiceLine]]:
    return DataLoader(load_fn=invoices.lines_by_invoice)


def ConversationByIdLoader() -> DataLoader[int, Conversation | None]:
    return DataLoader(load_fn=conversations.conversations_by_ids)


def MessageByIdLoader() -> DataLoader[int, Message | None]:
    return DataLoader(load_fn=conversations.messages_by_ids)


def LastMessageByConversationIdLoader() -> DataLoader[int, dict[str, Any] | None]:
    return DataLoader(load_fn=conversations.last_message_by_conversation_ids)


def PremiumByClientIdLoader() -> DataLoader[int, bool]:
    return DataLoader(load_fn=conversations.premium_by_client_ids)


def AdvisorByClientIdLoader() -> DataLoader[int, int | None]:
    return DataLoader(load_fn=conversations.advisor_by_client_ids)


def AttachmentsByMessageIdLoader() -> DataLoader[int, list[dict[str, Any]]]:
    return DataLoader(load_fn=conversations.attachments_by_message_ids)


def UnreadByConversationLoader() -> DataLoader[tuple[bool, int], int]:
    """Key: (staff side?, conversation id)."""
    return DataLoader(load_fn=conversations.unread_by_conversation_ids)


async def _ratings_for_visits(keys: Sequence[tuple[Viewer, int]]) -> list[Rating | None]:
    # One viewer per request: one query for the whole page.
    viewer = keys[0][0]
    if any(key[0] != viewer for key in keys):
        return [(await ratings.ratings_for_visits(v, [pk]))[0] for v, pk in keys]
    return await ratings.ratings_for_visits(viewer, [pk for _, pk in keys])


def RatingByVisitLoader() -> DataLoader[tuple[Viewer, int], Rating | None]:
    return DataLoader(load_fn=_ratings_for_visits)


def AnomaliesByVisitLoader() -> DataLoader[tuple[Viewer, int], list[anomalies.AnomalyView]]:
    return DataLoader(load_fn=anomalies.by_visit_ids)


@dataclass
class Loaders:
    agency_by_id: DataLoader[int, Agency | None] = field(default_factory=AgencyByIdLoader)
    account_by_id: DataLoader[int, Account | None] = field(default_factory=AccountByIdLoader)
    invoice_lines_by_invoice: DataLoader[int, list[InvoiceLine]] = field(
        default_factory=InvoiceLinesByInvoiceLoader
    )
    conversation_by_id: DataLoader[int, Conversation | None] = field(
        default_factory=ConversationByIdLoader
    )
    message_by_id: DataLoader[int, Message | None] = field(default_factory=MessageByIdLoader)
    last_message_by_conversation_id: DataLoader[int, dict[str, Any] | None] = field(
        default_factory=LastMessageByConversationIdLoader
    )
    premium_by_client_id: DataLoader[int, bool] = field(default_factory=PremiumByClientIdLoader)
    advisor_by_client_id: DataLoader[int, int | None] = field(
        default_factory=AdvisorByClientIdLoader
    )
    attachments_by_message_id: DataLoader[int, list[dict[str, Any]]] = field(
        default_factory=AttachmentsByMessageIdLoader
    )
    unread_by_conversation: DataLoader[tuple[bool, int], int] = field(
        default_factory=UnreadByConversationLoader
    )
    rating_by_visit: DataLoader[tuple[Viewer, int], Rating | None] = field(
        default_factory=RatingByVisitLoader
    )
    anomalies_by_visit: DataLoader[tuple[Viewer, int], list[anomalies.AnomalyView]] = field(
        default_factory=AnomaliesByVisitLoader
    )
