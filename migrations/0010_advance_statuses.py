"""Advance statuses of the whole URSSAF life cycle; the column widened to hold them."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import AdvanceStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_outbox_claim')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Invoice',
            name='advance_status',
            field=fields.CharEnumField(null=True, description='TO_SEND: TO_SEND\nSENT: SENT\nAWAITING_VALIDATION: AWAITING_VALIDATION\nVALIDATED: VALIDATED\nREFUSED: REFUSED\nCONTESTED: CONTESTED\nCANCELLED: CANCELLED\nPAID: PAID', enum_type=AdvanceStatus, max_length=24),
        ),
    ]
