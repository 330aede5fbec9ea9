"""Enumerations stored in the database and reused by the GraphQL schema."""

from enum import StrEnum


class Role(StrEnum):
    CLIENT = "CLIENT"
    WORKER = "WORKER"
    ADVISOR = "ADVISOR"
    ADMIN = "ADMIN"

    @property
    def is_staff(self) -> bool:
        return self in (Role.ADVISOR, Role.ADMIN)


class AccountStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"
    # Personal data rights: the account was erased (its row kept, pseudonymised).
    CLOSED = "CLOSED"


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "VERIFY_EMAIL"
    RESET_PASSWORD = "RESET_PASSWORD"
    # Personal data rights: a new e-mail address to verify, a deletion to confirm.
    CHANGE_EMAIL = "CHANGE_EMAIL"
    CONFIRM_DELETION = "CONFIRM_DELETION"


class SecurityEventKind(StrEnum):
    SIGN_UP = "SIGN_UP"
    EMAIL_VERIFIED = "EMAIL_VERIFIED"
    LOGIN_SUCCEEDED = "LOGIN_SUCCEEDED"
    LOGIN_FAILED = "LOGIN_FAILED"
    NEW_DEVICE_SIGN_IN = "NEW_DEVICE_SIGN_IN"
    FAILED_LOGIN_BURST = "FAILED_LOGIN_BURST"
    LOGGED_OUT = "LOGGED_OUT"
    SESSION_REVOKED = "SESSION_REVOKED"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"
    PASSWORD_RESET_REQUESTED = "PASSWORD_RESET_REQUESTED"
    PASSWORD_RESET = "PASSWORD_RESET"
    PASSWORD_AGE_NOTICE = "PASSWORD_AGE_NOTICE"
    ACCOUNT_CREATED_BY_STAFF = "ACCOUNT_CREATED_BY_STAFF"


class MessageChannel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


class OutboxStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class InterventionStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    MISSED = "MISSED"


class EventType(StrEnum):
    SCHEDULED = "SCHEDULED"
    RESCHEDULED = "RESCHEDULED"
    REASSIGNED = "REASSIGNED"
    CANCELLED = "CANCELLED"
    ARRIVED = "ARRIVED"
    DEPARTED = "DEPARTED"
    LATE = "LATE"
    MISSED = "MISSED"
    INVOICE_ISSUED = "INVOICE_ISSUED"
    CREDIT_NOTE_ISSUED = "CREDIT_NOTE_ISSUED"
    PAYMENT_RECORDED = "PAYMENT_RECORDED"
    CERTIFICATE_PUBLISHED = "CERTIFICATE_PUBLISHED"
    MESSAGE_SENT = "MESSAGE_SENT"
    CONVERSATION_OVERDUE = "CONVERSATION_OVERDUE"
    CONVERSATION_READ = "CONVERSATION_READ"
    RATED = "RATED"
    # Client self-service: change requests and absences (requestEvents).
    REQUEST_CREATED = "REQUEST_CREATED"
    REQUEST_APPROVED = "REQUEST_APPROVED"
    REQUEST_REJECTED = "REQUEST_REJECTED"
    REQUEST_WITHDRAWN = "REQUEST_WITHDRAWN"
    ABSENCE_DECLARED = "ABSENCE_DECLARED"
    # Personal data rights: a household's data export is ready (dataExportEvents).
    DATA_EXPORT_READY = "DATA_EXPORT_READY"
    # Care beyond the visit (issue 19): claims, call-backs, attendance anomalies.
    CLAIM_REPORTED = "CLAIM_REPORTED"
    CLAIM_UPDATED = "CLAIM_UPDATED"
    CALLBACK_REQUESTED = "CALLBACK_REQUESTED"
    CALLBACK_LOGGED = "CALLBACK_LOGGED"
    CALLBACK_OVERDUE = "CALLBACK_OVERDUE"
    ANOMALY_FLAGGED = "ANOMALY_FLAGGED"
    ANOMALY_RESOLVED = "ANOMALY_RESOLVED"
    # Tax and billing documents: the advance's status and corrected certificates.
    ADVANCE_STATUS_CHANGED = "ADVANCE_STATUS_CHANGED"
    CERTIFICATE_CORRECTED = "CERTIFICATE_CORRECTED"


# What `interventionEvents` carries (docs/CONTRACT.md). Other features add their own members
# to EventType (messages, ratings, requests) and their own subscriptions, which filter
# the same log by type: one log, one order, one cursor space.
INTERVENTION_EVENT_TYPES = frozenset(
    {
        EventType.SCHEDULED,
        EventType.RESCHEDULED,
        EventType.REASSIGNED,
        EventType.CANCELLED,
        EventType.ARRIVED,
        EventType.DEPARTED,
        EventType.LATE,
        EventType.MISSED,
    }
)


# What `billingEvents` carries: subject_id is the invoice (or the tax certificate).
BILLING_EVENT_TYPES = frozenset(
    {
        EventType.INVOICE_ISSUED,
        EventType.CREDIT_NOTE_ISSUED,
        EventType.PAYMENT_RECORDED,
        EventType.CERTIFICATE_PUBLISHED,
        # Tax and billing documents.
        EventType.ADVANCE_STATUS_CHANGED,
        EventType.CERTIFICATE_CORRECTED,
    }
)

# What `messageEvents` carries: messages and read receipts (staff and the client) and
# missed reply promises (staff only).
MESSAGE_EVENT_TYPES = frozenset(
    {EventType.MESSAGE_SENT, EventType.CONVERSATION_READ, EventType.CONVERSATION_OVERDUE}
)

# What `ratingEvents` carries: a visit rated or a rating edited (staff and the client).
RATING_EVENT_TYPES = frozenset({EventType.RATED})

# Care beyond the visit (issue 19): `claimEvents`, `callbackEvents`, `anomalyEvents`.
CLAIM_EVENT_TYPES = frozenset({EventType.CLAIM_REPORTED, EventType.CLAIM_UPDATED})
CALLBACK_EVENT_TYPES = frozenset(
    {EventType.CALLBACK_REQUESTED, EventType.CALLBACK_LOGGED, EventType.CALLBACK_OVERDUE}
)
ANOMALY_EVENT_TYPES = frozenset({EventType.ANOMALY_FLAGGED, EventType.ANOMALY_RESOLVED})


class NotificationTopic(StrEnum):
    """What a notification to a household is about; contact preferences are set per topic."""

    ATTENDANCE = "ATTENDANCE"  # arrival and departure of the worker
    SCHEDULE = "SCHEDULE"  # a visit scheduled, moved, reassigned or cancelled
    REQUEST_DECISION = "REQUEST_DECISION"  # the agency's answer to a change request
    MESSAGE_REPLY = "MESSAGE_REPLY"  # the agency answered a message
    BILLING = "BILLING"  # invoices, payments, tax certificates
    SECURITY = "SECURITY"  # sign-in and password notices: always e-mailed
    # Care beyond the visit (issue 19).
    CLAIM = "CLAIM"  # each step of a damage claim
    CALLBACK = "CALLBACK"  # a call-back request taken or logged


class ServiceMode(StrEnum):
    PRESTATAIRE = "PRESTATAIRE"  # the agency employs the worker and invoices the service
    MANDATAIRE = "MANDATAIRE"  # the household employs the worker, the agency invoices its fees


class InvoiceKind(StrEnum):
    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"
    # Tax and billing documents: an advance refused, cancelled or contested is billed to
    # the household by this corrective invoice, never by editing the issued one.
    CORRECTION = "CORRECTION"


class VatRegime(StrEnum):
    """Whether the agency charges VAT (tax and billing documents)."""

    SUBJECT = "SUBJECT"  # VAT charged at the service's rate
    EXEMPT = "EXEMPT"  # franchise en base: "TVA non applicable, art. 293 B du CGI"


class InvoiceStatus(StrEnum):
    ISSUED = "ISSUED"
    PARTLY_PAID = "PARTLY_PAID"
    PAID = "PAID"
    # Shown, never stored: an unpaid invoice past its due date.
    OVERDUE = "OVERDUE"
    CREDITED = "CREDITED"  # cancelled by a credit note


class AdvanceStatus(StrEnum):
    """Where the immediate advance of an invoice stands in the URSSAF exchange."""

    TO_SEND = "TO_SEND"  # the invoice is issued; its payment request is not yet accepted
    SENT = "SENT"  # URSSAF integrated the payment request
    AWAITING_VALIDATION = "AWAITING_VALIDATION"  # the household has 48 h to validate or contest
    VALIDATED = "VALIDATED"  # validated by the household, or by silence after 48 h
    REFUSED = "REFUSED"  # refused by URSSAF or by the household
    CONTESTED = "CONTESTED"  # contested by the household after validation
    CANCELLED = "CANCELLED"  # cancelled before payment
    PAID = "PAID"  # URSSAF paid the advance to the agency


class PaymentMethod(StrEnum):
    CARD = "CARD"
    SEPA_DEBIT = "SEPA_DEBIT"
    TRANSFER = "TRANSFER"
    CHEQUE = "CHEQUE"
    CESU = "CESU"  # prepaid CESU: deducted from the amount on the tax certificate
    APA = "APA"  # allocation personnalisée d'autonomie paid by the département
    PCH = "PCH"  # prestation de compensation du handicap


REQUEST_EVENT_TYPES = frozenset(
    {
        EventType.REQUEST_CREATED,
        EventType.REQUEST_APPROVED,
        EventType.REQUEST_REJECTED,
        EventType.REQUEST_WITHDRAWN,
        EventType.ABSENCE_DECLARED,
    }
)


class ChangeRequestKind(StrEnum):
    EXTRA_VISIT = "EXTRA_VISIT"  # a one-off visit besides the plan
    SERVICE_CHANGE = "SERVICE_CHANGE"  # another service for a visit or a plan (spring cleaning…)
    NEW_SLOT = "NEW_SLOT"  # reschedule a visit
    NEW_DURATION = "NEW_DURATION"  # longer or shorter visit
    CANCELLATION = "CANCELLATION"  # cancel a visit
    PLAN_CHANGE = "PLAN_CHANGE"  # another weekly slot for a plan


class ChangeRequestStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


class AbsencePolicy(StrEnum):
    CANCEL = "CANCEL"  # visits during an absence are cancelled
    OFFER_RESCHEDULE = "OFFER_RESCHEDULE"  # they are kept aside and offered for rescheduling


class DigestFrequency(StrEnum):
    INSTANT = "INSTANT"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"


# Personal data rights (RGPD): exports, deletions, and their audit trail.
PRIVACY_EVENT_TYPES = frozenset({EventType.DATA_EXPORT_READY})


class DataExportStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    READY = "READY"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"


class DeletionStatus(StrEnum):
    AWAITING_CONFIRMATION = "AWAITING_CONFIRMATION"  # the e-mailed link not yet followed
    SCHEDULED = "SCHEDULED"  # confirmed: erased when the grace period ends
    CANCELLED = "CANCELLED"
    DONE = "DONE"


class DeletionReason(StrEnum):
    REQUESTED = "REQUESTED"  # the household asked (RGPD art. 17)
    INACTIVITY = "INACTIVITY"  # no activity for the retention period, warned beforehand


class PrivacyAction(StrEnum):
    """What the personal data audit trail records (listed for ADMIN)."""

    EXPORT_REQUESTED = "EXPORT_REQUESTED"
    EXPORT_DOWNLOADED = "EXPORT_DOWNLOADED"
    RECTIFIED = "RECTIFIED"
    EMAIL_CHANGED = "EMAIL_CHANGED"
    DELETION_REQUESTED = "DELETION_REQUESTED"
    DELETION_CONFIRMED = "DELETION_CONFIRMED"
    DELETION_CANCELLED = "DELETION_CANCELLED"
    ERASED = "ERASED"
    ARCHIVE_PURGED = "ARCHIVE_PURGED"
    INACTIVITY_WARNED = "INACTIVITY_WARNED"
    FILE_ACCESSED = "FILE_ACCESSED"


# Care beyond the visit (issue 19): damage claims, call-backs, attendance anomalies.
class ClaimStatus(StrEnum):
    REPORTED = "REPORTED"  # declared by the household, not yet seen by the agency
    ACKNOWLEDGED = "ACKNOWLEDGED"  # the agency has taken it in hand
    INVESTIGATING = "INVESTIGATING"  # the worker's account asked, the insurer maybe told
    REPAIRED = "REPAIRED"  # closed: the damage was repaired
    REIMBURSED = "REIMBURSED"  # closed: the household was paid an amount
    DECLINED = "DECLINED"  # closed: refused, with the reason

    @property
    def closed(self) -> bool:
        return self in (ClaimStatus.REPAIRED, ClaimStatus.REIMBURSED, ClaimStatus.DECLINED)


class CallbackTopic(StrEnum):
    VISIT = "VISIT"
    BILLING = "BILLING"
    TAX_CREDIT = "TAX_CREDIT"
    CLAIM = "CLAIM"
    ACCOUNT = "ACCOUNT"
    OTHER = "OTHER"


class CallbackUrgency(StrEnum):
    NORMAL = "NORMAL"
    URGENT = "URGENT"


class CallbackOutcome(StrEnum):
    RESOLVED = "RESOLVED"  # reached, the matter is settled
    FOLLOW_UP = "FOLLOW_UP"  # reached, something remains to be done
    NO_ANSWER = "NO_ANSWER"  # not reached; the request is closed with this outcome


class AnomalyKind(StrEnum):
    EARLY_CHECK_IN = "EARLY_CHECK_IN"  # earlier than the agency allows
    TOO_SHORT = "TOO_SHORT"  # checked out far sooner than planned
    TOO_LONG = "TOO_LONG"  # checked out far later than planned
    FAR_CHECK_IN = "FAR_CHECK_IN"  # checked in beyond the agency's radius
    FAR_CHECK_OUT = "FAR_CHECK_OUT"  # checked out beyond the agency's radius
    MISSING_CHECK_OUT = "MISSING_CHECK_OUT"  # still in progress when its day is over


# URSSAF exchange (immediate advance): enrolment of a household and payment requests.
class UrssafEnrolmentStatus(StrEnum):
    """Where a household's enrolment with URSSAF stands (ENROLLED only with an URSSAF id)."""

    PENDING = "PENDING"  # entered, not yet accepted by URSSAF (or URSSAF unreachable)
    REFUSED = "REFUSED"  # URSSAF answered with coded errors
    ENROLLED = "ENROLLED"  # URSSAF answered with the household's id


class UrssafRequestState(StrEnum):
    """The delivery of one invoice's payment request (its life cycle is in status_code)."""

    PENDING = "PENDING"  # waiting to be sent, or to be sent again after a failure
    SENT = "SENT"  # URSSAF accepted it and gave its id; the poll follows its status
    REJECTED = "REJECTED"  # URSSAF refused it with coded errors: staff must correct it
