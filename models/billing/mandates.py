"""Mandataire mode: the household employs the worker, the agency keeps the payslips."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Client, Worker


class Payslip(Model):
    """A worker's payslip (PDF) for one month of work for one employing household."""

    id = fields.IntField(primary_key=True)
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="payslips", on_delete=fields.RESTRICT
    )
    client_id: int
    worker: fields.ForeignKeyRelation[Worker] = fields.ForeignKeyField(
        "models.Worker", related_name="payslips", on_delete=fields.RESTRICT
    )
    worker_id: int
    year = fields.SmallIntField()
    month = fields.SmallIntField()
    filename = fields.CharField(max_length=120)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    content = fields.BinaryField()
    uploaded_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="uploaded_payslips", null=True, on_delete=fields.SET_NULL
    )
    uploaded_by_id: int | None
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = "payslip"
        unique_together = (("client", "worker", "year", "month"),)
