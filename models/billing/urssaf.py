"""The URSSAF exchange (API Tiers de prestation): enrolments, payment requests, the audit.

An enrolment holds the identity URSSAF needs to register a household for the immediate
advance; its IBAN is sealed (Fernet) like the access codes. A payment request is one
invoice's request, delivered through its own outbox (claimed, retried until accepted)
and then followed by the status poll. Every call to URSSAF leaves an exchange row,
secrets and IBANs masked.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Client
from models.billing.invoices import Invoice
from models.enums import AdvanceStatus, UrssafEnrolmentStatus, UrssafRequestState


class UrssafEnrolment(Model):
    """A household's registration with URSSAF (POST /particulier), one per household."""

    id = fields.IntField(primary_key=True)
    client: fields.OneToOneRelation[Client] = fields.OneToOneField(
        "models.Client", related_name="urssaf_enrolment", on_delete=fields.CASCADE
    )
    client_id: int
    agency_id = fields.IntField(db_index=True)
    status = fields.CharEnumField(
        UrssafEnrolmentStatus, max_length=10, default=UrssafEnrolmentStatus.PENDING
    )
    # The household's id at URSSAF ("idClient"): set only when URSSAF answered with it.
    urssaf_id = fields.CharField(max_length=50, null=True, unique=True)
    civility = fields.CharField(max_length=1)  # "1" Monsieur, "2" Madame (URSSAF's codes)
    birth_name = fields.CharField(max_length=80)
    usage_name = fields.CharField(max_length=80, default="")
    first_names = fields.CharField(max_length=80)
    birth_date = fields.DateField()
    birth_country_code = fields.CharField(max_length=5)  # INSEE country, 99100 = France
    birth_commune_code = fields.CharField(max_length=5, default="")  # INSEE commune (COG)
    birth_commune_label = fields.CharField(max_length=50, default="")
    street_number = fields.CharField(max_length=20, default="")
    street_name = fields.CharField(max_length=28, default="")
    address_complement = fields.CharField(max_length=38, default="")
    postal_code = fields.CharField(max_length=5)
    commune_code = fields.CharField(max_length=5)
    commune_label = fields.CharField(max_length=50)
    email = fields.CharField(max_length=254)
    mobile = fields.CharField(max_length=16)  # E.164, a French mobile
    iban_sealed = fields.TextField()
    iban_last4 = fields.CharField(max_length=4)
    bic = fields.CharField(max_length=11)
    account_holder = fields.CharField(max_length=100)
    error_code = fields.CharField(max_length=60, default="")
    error_message = fields.CharField(max_length=300, default="")
    entered_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="urssaf_enrolments", null=True, on_delete=fields.SET_NULL
    )
    entered_by_id: int | None
    enrolled_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "urssaf_enrolment"


class UrssafPaymentRequest(Model):
    """One invoice's payment request: unique per invoice, so it can never be queued twice."""

    id = fields.IntField(primary_key=True)
    invoice: fields.OneToOneRelation[Invoice] = fields.OneToOneField(
        "models.Invoice", related_name="urssaf_request", on_delete=fields.RESTRICT
    )
    invoice_id: int
    agency_id = fields.IntField()
    client_id = fields.IntField()
    invoice_number = fields.CharField(max_length=30)
    state = fields.CharEnumField(
        UrssafRequestState, max_length=10, default=UrssafRequestState.PENDING
    )
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    # The sending that holds the row while `next_attempt_at` is in the future.
    claim = fields.CharField(max_length=32, null=True)
    last_error = fields.CharField(max_length=200, default="")
    urssaf_id = fields.CharField(max_length=50, null=True, unique=True)
    status_code = fields.CharField(max_length=4, default="")
    reason_code = fields.CharField(max_length=40, default="")
    reason = fields.CharField(max_length=500, default="")
    # When the poll next reads this request's status (None once its status is final).
    next_poll_at = fields.DatetimeField(null=True)
    poll_claim = fields.CharField(max_length=32, null=True)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "urssaf_payment_request"
        indexes = (("state", "next_attempt_at"), ("state", "next_poll_at"))


class AdvanceChange(Model):
    """Each move of an invoice's advance status, by URSSAF (the poll) or by staff (override)."""

    id = fields.IntField(primary_key=True)
    invoice: fields.ForeignKeyRelation[Invoice] = fields.ForeignKeyField(
        "models.Invoice", related_name="advance_changes", on_delete=fields.CASCADE
    )
    invoice_id: int
    from_status = fields.CharEnumField(AdvanceStatus, max_length=24, null=True)
    to_status = fields.CharEnumField(AdvanceStatus, max_length=24)
    source = fields.CharField(max_length=10)  # URSSAF or STAFF
    reason = fields.CharField(max_length=500, default="")
    actor: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="advance_changes", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    created_at = fields.DatetimeField()

    class Meta:
        table = "advance_change"
        indexes = (("invoice_id", "id"),)


class UrssafExchange(Model):
    """One HTTP call to URSSAF and its answer, secrets and IBANs masked (the audit)."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    operation = fields.CharField(max_length=30)
    method = fields.CharField(max_length=6)
    path = fields.CharField(max_length=200)
    status = fields.IntField(null=True)  # HTTP status, None when no answer came
    duration_ms = fields.IntField()
    request_body = fields.TextField()
    response_body = fields.TextField()
    error = fields.CharField(max_length=200, default="")
    # The household the call was about, when it was one (an enrolment): what an erasure
    # of its personal data deletes.
    client_id = fields.IntField(null=True, db_index=True)

    class Meta:
        table = "urssaf_exchange"
