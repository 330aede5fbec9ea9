"""Partner applications and their API keys (issue 18); security events for them."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import SecurityEventKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0015_event_types")]

    initial = False

    operations = [
        ops.CreateModel(
            name="PartnerApplication",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "agency",
                    fields.ForeignKeyField(
                        "models.Agency",
                        source_field="agency_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="partner_applications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=100)),
                ("description", fields.CharField(default="", max_length=500)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="registered_partner_applications",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "disabled_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "partner_application",
                "app": "models",
                "unique_together": (("agency", "name"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PartnerApiKey",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "application",
                    fields.ForeignKeyField(
                        "models.PartnerApplication",
                        source_field="application_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="api_keys",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("label", fields.CharField(default="", max_length=100)),
                ("secret_hash", fields.CharField(unique=True, max_length=64)),
                ("hint", fields.CharField(max_length=24)),
                ("scopes", fields.CharField(max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="issued_partner_keys",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "last_used_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("last_used_network", fields.CharField(default="", max_length=64)),
            ],
            options={
                "table": "partner_api_key",
                "app": "models",
                "indexes": [Index(fields=["application_id", "revoked_at"])],
                "pk_attr": "id",
                "table_description": "One of an application's keys: several live at once while a partner rotates.",
            },
            bases=["Model"],
        ),
        ops.AlterField(
            model_name="SecurityEvent",
            name="kind",
            field=fields.CharEnumField(
                description="SIGN_UP: SIGN_UP\nEMAIL_VERIFIED: EMAIL_VERIFIED\nLOGIN_SUCCEEDED: LOGIN_SUCCEEDED\nLOGIN_FAILED: LOGIN_FAILED\nNEW_DEVICE_SIGN_IN: NEW_DEVICE_SIGN_IN\nFAILED_LOGIN_BURST: FAILED_LOGIN_BURST\nLOGGED_OUT: LOGGED_OUT\nSESSION_REVOKED: SESSION_REVOKED\nPASSWORD_CHANGED: PASSWORD_CHANGED\nPASSWORD_RESET_REQUESTED: PASSWORD_RESET_REQUESTED\nPASSWORD_RESET: PASSWORD_RESET\nPASSWORD_AGE_NOTICE: PASSWORD_AGE_NOTICE\nACCOUNT_CREATED_BY_STAFF: ACCOUNT_CREATED_BY_STAFF\nPARTNER_APP_REGISTERED: PARTNER_APP_REGISTERED\nPARTNER_KEY_ISSUED: PARTNER_KEY_ISSUED\nPARTNER_KEY_REVOKED: PARTNER_KEY_REVOKED",
                enum_type=SecurityEventKind,
                max_length=32,
            ),
        ),
    ]
