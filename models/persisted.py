"""Persisted documents (the Apollo convention): a document's text kept under its SHA-256.

A caller may then send the hash instead of the text; production can be set to run only
the documents registered here for anonymous callers (docs/limits-and-changes.md).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PersistedDocument(Model):
    id = fields.IntField(primary_key=True)
    # Lower-case hex SHA-256 of the document's text, exactly as sent.
    sha256 = fields.CharField(max_length=64, unique=True)
    body = fields.TextField()
    # AUTOMATIC (sent with its hash), ADMIN (the mutation) or MANIFEST (the command line).
    source = fields.CharField(max_length=10)
    registered_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "persisted_document"


class CostBucket(Model):
    """One caller's bucket of query cost points, when Redis is not configured.

    Updated by one conditional UPDATE per request (services/buckets.py), so every process
    on the database draws from the same points. `updated_at` is Unix time in seconds.
    """

    key = fields.CharField(max_length=80, primary_key=True)
    tokens = fields.FloatField()
    updated_at = fields.FloatField()

    class Meta:
        table = "cost_bucket"
