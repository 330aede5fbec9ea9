"""Agencies and the people who use Passage: accounts, clients, workers."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import AccountStatus, Role, VatRegime


class Agency(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    # Déclaration "services à la personne" (SAP) number and date: printed on invoices.
    sap_number = fields.CharField(max_length=40, default="")
    sap_declared_on = fields.DateField(null=True)
    siret = fields.CharField(max_length=14, default="")
    # Legal identity printed on invoices and certificates (issue 13): the registered name
    # when it differs from the trading name, contact details households may read, and
    # whether VAT applies (EXEMPT: franchise en base, art. 293 B CGI).
    legal_name = fields.CharField(max_length=200, default="")
    phone = fields.CharField(max_length=20, default="")  # E.164
    email = fields.CharField(max_length=254, default="")
    vat_regime = fields.CharEnumField(VatRegime, max_length=8, default=VatRegime.SUBJECT)
    address_line1 = fields.CharField(max_length=200, default="")
    address_line2 = fields.CharField(max_length=200, default="")
    postal_code = fields.CharField(max_length=10, default="")
    city = fields.CharField(max_length=100, default="")
    time_zone = fields.CharField(max_length=64, default="Europe/Paris")
    # A check-in or check-out farther than this from the address is kept, but flagged.
    check_in_radius_m = fields.IntField(default=300)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "agency"


class AgencyPostalPrefix(Model):
    """A postal-code prefix an agency serves. A prefix belongs to one agency only."""

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="postal_prefixes", on_delete=fields.CASCADE
    )
    agency_id: int
    prefix = fields.CharField(max_length=5, unique=True)

    class Meta:
        table = "agency_postal_prefix"


class Account(Model):
    id = fields.IntField(primary_key=True)
    # Stored lower-cased: uniqueness is case-insensitive on every database.
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=10)
    status = fields.CharEnumField(AccountStatus, max_length=10, default=AccountStatus.ACTIVE)
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    phone = fields.CharField(max_length=20, default="")  # E.164
    agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="accounts", null=True, on_delete=fields.RESTRICT
    )
    agency_id: int | None
    email_verified_at = fields.DatetimeField(null=True)
    password_changed_at = fields.DatetimeField()
    password_age_notified_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account"

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name)


def display_name(first_name: str, last_name: str) -> str:
    """How a person is shown to others: the first name and the last name's initial."""
    return f"{first_name} {last_name[:1]}."


class Client(Model):
    id = fields.IntField(primary_key=True)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "models.Account", related_name="client", on_delete=fields.CASCADE
    )
    account_id: int
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="clients", on_delete=fields.RESTRICT
    )
    agency_id: int
    client_number = fields.CharField(max_length=20)
    advisor: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="advised_clients", null=True, on_delete=fields.SET_NULL
    )
    advisor_id: int | None
    billing_line1 = fields.CharField(max_length=200)
    billing_line2 = fields.CharField(max_length=200, default="")
    billing_postal_code = fields.CharField(max_length=10)
    billing_city = fields.CharField(max_length=100)
    billing_country = fields.CharField(max_length=2, default="FR")
    created_at = fields.DatetimeField(auto_now_add=True)
    # Erased (RGPD art. 17): only the legal archive is left, for ADMIN eyes only.
    erased_at = fields.DatetimeField(null=True)

    class Meta:
        table = "client"
        unique_together = (("agency", "client_number"),)


class Worker(Model):
    id = fields.IntField(primary_key=True)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "models.Account", related_name="worker", on_delete=fields.CASCADE
    )
    account_id: int
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="workers", on_delete=fields.RESTRICT
    )
    agency_id: int
    # Matricule: printed on invoices and tax certificates.
    employee_number = fields.CharField(max_length=20)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "worker"
        unique_together = (("agency", "employee_number"),)
