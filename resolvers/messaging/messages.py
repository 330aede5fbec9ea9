"""Messages between a household and its agency (seed: "Messagerie intégrée").

A client writes to its agency: the first message opens the conversation. Any
advisor or admin of the agency answers (the client's own advisor sees it as
theirs first, see `conversations.awaiting_reply`). Bodies are plain text kept
exactly as written; nothing here renders them. The household hears of a reply
through `notify_client`, with a link and no excerpt (notifications.texts.messaging).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts.people import Account, Client
from models.enums import EventType, NotificationTopic, Role
from models.messaging import Conversation, Message, MessageAttachment
from models.visits.visits import Intervention
from notifications import texts
from notifications.notify import notify_client
from resolvers.core import guards, nodes
from resolvers.core.errors import Forbidden, RateLimited, UserError, user_error
from resolvers.core.lookups import client_id_for
from resolvers.core.prepared import get_by_id
from resolvers.core.runtime import Runtime, Viewer
from resolvers.messaging.attachments import CheckedFile, Upload, check_uploads
from resolvers.messaging.reply_promise import response_due
from services.clock import utcnow
from subscriptions import events

MAX_BODY = 4000
# Control characters other than tab and line breaks have no place in a message
# (NUL is refused by PostgreSQL text columns).
_CONTROL = {chr(c) for c in range(32) if c not in (9, 10, 13)} | {"\x7f"}


@dataclass(frozen=True)
class SendData:
    body: str
    conversation_id: int | None = None
    intervention_id: int | None = None
    attachments: tuple[Upload, ...] = ()


@dataclass(frozen=True)
class MessageResult:
    message: Message | None
    conversation: Conversation | None
    user_errors: list[UserError]


def _fail(field: str, message: str, code: str) -> MessageResult:
    return MessageResult(None, None, [user_error(field, message, code)])


async def visible_conversation(viewer: Viewer, conversation_id: int) -> Conversation | None:
    """The conversation if the viewer is one of its two sides, else None."""
    conversation = await get_by_id(Conversation, conversation_id)
    if conversation is None:
        return None
    if not await guards.sees_household_row(viewer, conversation.agency_id, conversation.client_id):
        return None
    return conversation


# `visible_conversation`'s columns as a row, for the planner's `node(id:)`.
visible_conversation_row = nodes.household_rows(Conversation)


def check_body(body: str) -> UserError | None:
    if not body.strip():
        return user_error("body", "Le message est vide.", "EMPTY_BODY")
    if len(body) > MAX_BODY:
        return user_error("body", f"{MAX_BODY} caractères au plus.", "TOO_LONG")
    if any(ch in _CONTROL for ch in body):
        return user_error("body", "Caractères de contrôle interdits.", "INVALID_BODY")
    return None


async def _client_conversation(client: Client) -> Conversation:
    existing = await Conversation.get_or_none(client_id=client.id)
    if existing is not None:
        return existing
    try:
        return await Conversation.create(
            client_id=client.id,
            agency_id=client.agency_id,
            created_at=utcnow(),
            last_message_at=utcnow(),
        )
    except IntegrityError:  # a first message sent twice at once: one conversation wins
        return await Conversation.get(client_id=client.id)


async def _rate_limit(rt: Runtime, viewer: Viewer) -> None:
    since = utcnow() - timedelta(minutes=1)
    recent = await Message.filter(author_id=viewer.account_id, sent_at__gte=since).count()
    if recent >= rt.settings.message_sends_per_minute:
        raise RateLimited(60)


async def send(rt: Runtime, viewer: Viewer | None, data: SendData) -> MessageResult:
    viewer = guards.signed_in(viewer)
    if not (viewer.is_staff or viewer.role is Role.CLIENT):
        raise Forbidden("La messagerie relie les clients à leur agence.")
    files, errors = _checked(rt, data)
    if errors:
        return MessageResult(None, None, errors)
    client = await _writable_client(viewer, data)
    if isinstance(client, MessageResult):
        return client
    await _rate_limit(rt, viewer)
    conversation = await _client_conversation(client)
    from_client = viewer.role is Role.CLIENT
    now = utcnow()
    due = await response_due(rt, client.agency_id, client.id, now) if from_client else None
    household = await Account.get(id=client.account_id) if not from_client else None
    async with in_transaction():
        locked = await Conversation.filter(id=conversation.id).select_for_update().first()
        conversation = locked or conversation
        message = await _write(conversation, viewer, data, files, now, due)
        await _follow_up(conversation, from_client, now, due)
        if household is not None:  # the agency answered: the household hears of it
            link = f"{rt.settings.public_url}/messages"
            notice = texts.messaging.reply(household.first_name, link)
            await notify_client(household, NotificationTopic.MESSAGE_REPLY, notice)
        event = await events.record_event(
            EventType.MESSAGE_SENT,
            now,
            agency_id=conversation.agency_id,
            client_id=conversation.client_id,
            subject_id=message.id,
        )
    if household is not None:
        rt.mailer.wake()
    await events.publish(rt.bus, [event])
    return MessageResult(message, conversation, [])


def _checked(rt: Runtime, data: SendData) -> tuple[list[CheckedFile], list[UserError]]:
    """The body, then the attachments."""
    error = check_body(data.body)
    if error is not None:
        return [], [error]
    return check_uploads(list(data.attachments), rt.settings.message_attachment_max_bytes)


async def _writable_client(viewer: Viewer, data: SendData) -> Client | MessageResult:
    """The household whose conversation the viewer writes in (a client: its own, opened by
    the first message; staff: one of their agency's), or the user error."""
    if viewer.role is Role.CLIENT:
        if not viewer.email_verified:
            return _fail(
                "body",
                "Confirmez d'abord votre adresse e-mail pour écrire à l'agence.",
                "EMAIL_NOT_VERIFIED",
            )
        client = await Client.get_or_none(account_id=viewer.account_id)
        if client is None:
            raise Forbidden()
        if data.conversation_id is not None:
            found = await visible_conversation(viewer, data.conversation_id)
            if found is None:
                return _fail("conversationId", "Conversation introuvable.", "NOT_FOUND")
    elif data.conversation_id is None:
        return _fail("conversationId", "Indiquez la conversation.", "REQUIRED")
    else:
        found = await visible_conversation(viewer, data.conversation_id)
        if found is None:
            return _fail("conversationId", "Conversation introuvable.", "NOT_FOUND")
        client = await Client.get(id=found.client_id)
    if data.intervention_id is not None and not await Intervention.exists(
        id=data.intervention_id, client_id=client.id
    ):
        return _fail("interventionId", "Intervention introuvable.", "NOT_FOUND")
    return client


async def _write(
    conversation: Conversation,
    viewer: Viewer,
    data: SendData,
    files: list[CheckedFile],
    now: datetime,
    due: datetime | None,
) -> Message:
    """The message and its attachments, in the caller's transaction."""
    from_client = viewer.role is Role.CLIENT
    message = await Message.create(
        conversation_id=conversation.id,
        author_id=viewer.account_id,
        from_client=from_client,
        body=data.body,
        sent_at=now,
        client_read_at=now if from_client else None,
        agency_read_at=None if from_client else now,
        intervention_id=data.intervention_id,
        response_due_at=due,
    )
    for file in files:
        await MessageAttachment.create(
            message_id=message.id,
            filename=file.filename,
            content_type=file.content_type,
            size=len(file.data),
            data=file.data,
        )
    return message


async def _follow_up(
    conversation: Conversation, from_client: bool, now: datetime, due: datetime | None
) -> None:
    """Who waits for whom now (the reply promise), in the caller's transaction."""
    conversation.last_message_at = now
    if from_client and conversation.waiting_since is None:
        # The oldest unanswered message sets the promise; later ones wait with it.
        conversation.waiting_since, conversation.response_due_at = now, due
        conversation.overdue_at = None
    elif not from_client:
        conversation.waiting_since = conversation.response_due_at = None
        conversation.overdue_at = None
        # Answering is reading: the client's messages are read by the agency.
        await Message.filter(
            conversation_id=conversation.id, from_client=True, agency_read_at=None
        ).update(agency_read_at=now)
    await conversation.save(
        update_fields=["last_message_at", "waiting_since", "response_due_at", "overdue_at"]
    )


async def mark_read(
    rt: Runtime, viewer: Viewer | None, conversation_id: int | None
) -> tuple[Conversation | None, list[UserError]]:
    """The viewer's side has read every message of the other side, up to now.

    When anything was unread, CONVERSATION_READ tells both sides live (read receipts).
    """
    viewer = guards.signed_in(viewer)
    if not (viewer.is_staff or viewer.role is Role.CLIENT):
        raise Forbidden("La messagerie relie les clients à leur agence.")
    conversation: Conversation | None
    if conversation_id is not None:
        conversation = await visible_conversation(viewer, conversation_id)
    elif viewer.role is Role.CLIENT:
        conversation = await Conversation.get_or_none(client_id=await client_id_for(viewer) or 0)
    else:
        return None, [user_error("conversationId", "Indiquez la conversation.", "REQUIRED")]
    if conversation is None:
        return None, [user_error("conversationId", "Conversation introuvable.", "NOT_FOUND")]
    now = utcnow()
    async with in_transaction():
        if viewer.is_staff:
            changed = await Message.filter(
                conversation_id=conversation.id, from_client=True, agency_read_at=None
            ).update(agency_read_at=now)
        else:
            changed = await Message.filter(
                conversation_id=conversation.id, from_client=False, client_read_at=None
            ).update(client_read_at=now)
        event = None
        if changed:
            event = await events.record_event(
                EventType.CONVERSATION_READ,
                now,
                agency_id=conversation.agency_id,
                client_id=conversation.client_id,
                subject_id=conversation.id,
            )
    if event is not None:
        await events.publish(rt.bus, [event])
    return conversation, []
