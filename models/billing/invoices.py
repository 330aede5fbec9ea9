"""Invoices, credit notes, their lines, numbering counters and payments.

Amounts are integer cents. An issued invoice is never changed afterwards except for
its payment and advance follow-up fields: a correction is a credit note.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Agency, Client
from models.enums import AdvanceStatus, InvoiceKind, InvoiceStatus, PaymentMethod, ServiceMode
from models.visits.visits import Intervention


class AgencyBillingRule(Model):
    """How an agency rounds worked time on invoices (one row per agency, defaults otherwise)."""

    id = fields.IntField(primary_key=True)
    agency: fields.OneToOneRelation[Agency] = fields.OneToOneField(
        "models.Agency", related_name="billing_rule", on_delete=fields.CASCADE
    )
    agency_id: int
    # Worked minutes are rounded to a multiple of this step (1 means no rounding).
    rounding_step_minutes = fields.SmallIntField(default=15)
    # NEAREST (half-up), UP or DOWN.
    rounding_mode = fields.CharField(max_length=8, default="NEAREST")
    payment_terms_days = fields.SmallIntField(default=15)
    # Management fee per worked hour in mandataire mode, in cents excluding VAT.
    mandate_fee_cents_per_hour = fields.IntField(default=250)
    # Travel costs billed per visit, excluding VAT (0: the agency does not bill them).
    travel_fee_cents = fields.IntField(default=0)

    class Meta:
        table = "agency_billing_rule"


class InvoiceCounter(Model):
    """The last number given per agency and year, locked while an invoice is numbered."""

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="invoice_counters", on_delete=fields.RESTRICT
    )
    agency_id: int
    year = fields.SmallIntField()
    last_number = fields.IntField(default=0)

    class Meta:
        table = "invoice_counter"
        unique_together = (("agency", "year"),)


class Invoice(Model):
    """An invoice or a credit note, with the legal mentions copied at issue time."""

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="invoices", on_delete=fields.RESTRICT
    )
    agency_id: int
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="invoices", on_delete=fields.RESTRICT
    )
    client_id: int
    kind = fields.CharEnumField(InvoiceKind, max_length=12, default=InvoiceKind.INVOICE)
    service_mode = fields.CharEnumField(ServiceMode, max_length=12)
    year = fields.SmallIntField()
    sequence = fields.IntField()
    number = fields.CharField(max_length=30)
    issued_at = fields.DatetimeField()
    issued_on = fields.DateField()
    due_on = fields.DateField()
    period_start = fields.DateField()
    period_end = fields.DateField()
    credited_invoice: fields.ForeignKeyNullableRelation[Invoice] = fields.ForeignKeyField(
        "models.Invoice", related_name="credit_notes", null=True, on_delete=fields.RESTRICT
    )
    credited_invoice_id: int | None
    credit_reason = fields.CharField(max_length=500, default="")
    total_excl_cents = fields.IntField()
    vat_cents = fields.IntField()
    total_incl_cents = fields.IntField()
    eligible_cents = fields.IntField(default=0)
    advance_cents = fields.IntField(default=0)
    amount_due_cents = fields.IntField()
    advance_note = fields.CharField(max_length=300, default="")
    advance_status = fields.CharEnumField(AdvanceStatus, max_length=24, null=True)
    # Why the advance last changed (URSSAF's or staff's words), shown on the correction.
    advance_reason = fields.CharField(max_length=300, default="")
    status = fields.CharEnumField(InvoiceStatus, max_length=12, default=InvoiceStatus.ISSUED)
    paid_cents = fields.IntField(default=0)
    agency_name = fields.CharField(max_length=200)
    agency_address = fields.CharField(max_length=500)
    sap_number = fields.CharField(max_length=40)
    sap_declared_on = fields.DateField(null=True)
    siret = fields.CharField(max_length=14, default="")
    vat_exempt = fields.BooleanField(default=False)
    client_number = fields.CharField(max_length=20)
    client_name = fields.CharField(max_length=200)
    client_address = fields.CharField(max_length=500)
    created_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="issued_invoices", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None

    class Meta:
        table = "invoice"
        unique_together = (("agency", "year", "sequence"),)
        indexes = (("client_id", "year"), ("agency_id", "year"))


class InvoiceLine(Model):
    """One completed visit, a late cancellation or a fee, priced at issue time."""

    id = fields.IntField(primary_key=True)
    invoice: fields.ForeignKeyRelation[Invoice] = fields.ForeignKeyField(
        "models.Invoice", related_name="lines", on_delete=fields.CASCADE
    )
    invoice_id: int
    intervention: fields.ForeignKeyNullableRelation[Intervention] = fields.ForeignKeyField(
        "models.Intervention", related_name="invoice_lines", null=True, on_delete=fields.RESTRICT
    )
    intervention_id: int | None
    position = fields.SmallIntField()
    label = fields.CharField(max_length=200)
    service_date = fields.DateField()
    start_time = fields.CharField(max_length=5, default="")
    end_time = fields.CharField(max_length=5, default="")
    place = fields.CharField(max_length=500, default="")
    worker_name = fields.CharField(max_length=200, default="")
    employee_number = fields.CharField(max_length=20, default="")
    minutes = fields.IntField()
    planned_duration = fields.BooleanField(default=False)
    hourly_rate_cents = fields.IntField()
    vat_rate_bp = fields.IntField()
    excl_cents = fields.IntField()
    vat_cents = fields.IntField()
    incl_cents = fields.IntField()
    tax_credit_eligible = fields.BooleanField(default=True)
    # A charge for a visit cancelled inside the notice period, not a service performed.
    late_cancellation = fields.BooleanField(default=False)
    # Travel costs of a visit (D.7233-1: their own line); no hours of their own.
    travel = fields.BooleanField(default=False)

    class Meta:
        table = "invoice_line"
        indexes = (("invoice_id", "position"),)


class BilledVisit(Model):
    """A visit on a live invoice: the unique key that stops a visit being invoiced twice.

    A credit note removes the rows of the invoice it cancels, so the visit can be
    invoiced again with corrected hours.
    """

    id = fields.IntField(primary_key=True)
    intervention: fields.OneToOneRelation[Intervention] = fields.OneToOneField(
        "models.Intervention", related_name="billed", on_delete=fields.RESTRICT
    )
    intervention_id: int
    invoice: fields.ForeignKeyRelation[Invoice] = fields.ForeignKeyField(
        "models.Invoice", related_name="billed_visits", on_delete=fields.CASCADE
    )
    invoice_id: int

    class Meta:
        table = "billed_visit"


class Payment(Model):
    """Money received for an invoice, partial or full."""

    id = fields.IntField(primary_key=True)
    invoice: fields.ForeignKeyRelation[Invoice] = fields.ForeignKeyField(
        "models.Invoice", related_name="payments", on_delete=fields.RESTRICT
    )
    invoice_id: int
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="payments", on_delete=fields.RESTRICT
    )
    client_id: int
    method = fields.CharEnumField(PaymentMethod, max_length=12)
    amount_cents = fields.IntField()
    received_on = fields.DateField()
    reference = fields.CharField(max_length=100, default="")
    recorded_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="recorded_payments", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField()

    class Meta:
        table = "payment"
        indexes = (("client_id", "received_on"),)
