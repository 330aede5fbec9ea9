"""What a partner receives for one event: the event as the log holds it, nothing more.

The body is `{"id", "type", "occurredAt", "data"}`; `id` is the event's cursor (the
same opaque form `since` takes in subscriptions and in `replayWebhook`), also sent as
the `webhook-id` header so a partner can drop a delivery it already processed. `data`
holds only what the event row carries: global ids of the visit, household, worker and
the subject, and the visit's status. No name, address or text: a partner that needs
more asks the API with its key, under its scopes.
"""

from __future__ import annotations

import base64
import json

from models.enums import EventType
from models.events import Event

# The Node type of an event's subject, by event type (see the subscriptions' payloads).
SUBJECT_TYPES: dict[EventType, str] = {
    EventType.INVOICE_ISSUED: "Invoice",
    EventType.CREDIT_NOTE_ISSUED: "Invoice",
    EventType.PAYMENT_RECORDED: "Invoice",
    EventType.ADVANCE_STATUS_CHANGED: "Invoice",
    EventType.CERTIFICATE_PUBLISHED: "TaxCertificate",
    EventType.CERTIFICATE_CORRECTED: "TaxCertificate",
    EventType.MESSAGE_SENT: "Message",
    EventType.CONVERSATION_READ: "Conversation",
    EventType.CONVERSATION_OVERDUE: "Conversation",
    EventType.RATED: "Rating",
    EventType.REQUEST_CREATED: "ChangeRequest",
    EventType.REQUEST_APPROVED: "ChangeRequest",
    EventType.REQUEST_REJECTED: "ChangeRequest",
    EventType.REQUEST_WITHDRAWN: "ChangeRequest",
    EventType.ABSENCE_DECLARED: "Absence",
    EventType.DATA_EXPORT_READY: "DataExport",
    EventType.CLAIM_REPORTED: "Claim",
    EventType.CLAIM_UPDATED: "Claim",
    EventType.CALLBACK_REQUESTED: "CallbackRequest",
    EventType.CALLBACK_LOGGED: "CallbackRequest",
    EventType.CALLBACK_OVERDUE: "CallbackRequest",
    EventType.ANOMALY_FLAGGED: "AttendanceAnomaly",
    EventType.ANOMALY_RESOLVED: "AttendanceAnomaly",
}


def global_id(type_name: str, pk: int) -> str:
    """The API's opaque id (schema/core/ids.py writes the same: base64url of "Type:pk")."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def cursor_of(event_id: int) -> str:
    return global_id("cursor", event_id)


def data_of(event: Event) -> dict[str, str]:
    data: dict[str, str] = {}
    if event.intervention_id is not None:
        data["interventionId"] = global_id("Intervention", event.intervention_id)
    if event.status is not None:
        data["status"] = str(event.status)
    if event.client_id is not None:
        data["clientId"] = global_id("Client", event.client_id)
    if event.worker_id is not None:
        data["workerId"] = global_id("Worker", event.worker_id)
    if event.previous_worker_id is not None:
        data["previousWorkerId"] = global_id("Worker", event.previous_worker_id)
    subject = SUBJECT_TYPES.get(EventType(event.type))
    if subject is not None and event.subject_id is not None:
        data["subjectId"] = global_id(subject, event.subject_id)
    return data


def body_of(event: Event) -> bytes:
    """The exact bytes that are signed and sent."""
    document = {
        "id": cursor_of(event.id),
        "type": str(event.type),
        "occurredAt": event.occurred_at.isoformat(),
        "data": data_of(event),
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
