from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import EventType
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_service_types')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Event',
            name='type',
            field=fields.CharEnumField(description='SCHEDULED: SCHEDULED\nRESCHEDULED: RESCHEDULED\nREASSIGNED: REASSIGNED\nCANCELLED: CANCELLED\nARRIVED: ARRIVED\nDEPARTED: DEPARTED\nLATE: LATE\nMISSED: MISSED', enum_type=EventType, max_length=24),
        ),
        ops.AddField(
            model_name='Event',
            name='subject_id',
            field=fields.BigIntField(null=True),
        ),
    ]
