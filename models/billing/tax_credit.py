"""Client billing facts, the dated tax-credit law table and published tax certificates."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Client
from models.enums import ServiceMode


class ClientBillingProfile(Model):
    """Billing facts of a household, beside Client: mode, immediate advance and ceiling facts."""

    id = fields.IntField(primary_key=True)
    client: fields.OneToOneRelation[Client] = fields.OneToOneField(
        "models.Client", related_name="billing_profile", on_delete=fields.CASCADE
    )
    client_id: int
    service_mode = fields.CharEnumField(ServiceMode, max_length=12, default=ServiceMode.PRESTATAIRE)
    advance_enrolled = fields.BooleanField(default=False)
    dependants = fields.SmallIntField(default=0)
    members_over_65 = fields.SmallIntField(default=0)
    disability = fields.BooleanField(default=False)
    # The year the household first employed someone directly (first-year ceiling).
    first_direct_employment_year = fields.SmallIntField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "client_billing_profile"


class TaxCreditRule(Model):
    """The law of one tax year (article 199 sexdecies CGI): rate and expense ceilings.

    A new year is a new row, written by a data migration.
    """

    id = fields.IntField(primary_key=True)
    year = fields.SmallIntField(unique=True)
    rate_bp = fields.IntField()
    base_ceiling_cents = fields.IntField()
    increment_cents = fields.IntField()
    max_ceiling_cents = fields.IntField()
    disability_ceiling_cents = fields.IntField()
    first_year_base_ceiling_cents = fields.IntField()
    first_year_max_ceiling_cents = fields.IntField()

    class Meta:
        table = "tax_credit_rule"


class TaxCertificate(Model):
    """A published yearly certificate: the amounts are kept as they were when published.

    One row per household and year, the version in force; a correction bumps `version`
    after copying the figures it replaces into SupersededCertificate.
    """

    id = fields.IntField(primary_key=True)
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="tax_certificates", on_delete=fields.RESTRICT
    )
    client_id: int
    year = fields.SmallIntField()
    version = fields.SmallIntField(default=1)
    amount_paid_cents = fields.IntField()
    eligible_cents = fields.IntField(default=0)
    advance_cents = fields.IntField(default=0)
    aid_cents = fields.IntField(default=0)
    cesu_cents = fields.IntField(default=0)
    issued_on = fields.DateField(null=True)
    published_at = fields.DatetimeField()

    class Meta:
        table = "tax_certificate"
        unique_together = (("client", "year"),)


class SupersededCertificate(Model):
    """A version of a tax certificate replaced by a corrected one, kept as it was."""

    id = fields.IntField(primary_key=True)
    certificate: fields.ForeignKeyRelation[TaxCertificate] = fields.ForeignKeyField(
        "models.TaxCertificate", related_name="superseded", on_delete=fields.RESTRICT
    )
    certificate_id: int
    version = fields.SmallIntField()
    amount_paid_cents = fields.IntField()
    eligible_cents = fields.IntField()
    advance_cents = fields.IntField()
    aid_cents = fields.IntField()
    cesu_cents = fields.IntField()
    issued_on = fields.DateField(null=True)
    published_at = fields.DatetimeField()
    superseded_at = fields.DatetimeField()

    class Meta:
        table = "superseded_certificate"
        unique_together = (("certificate", "version"),)
