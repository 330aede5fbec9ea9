from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import EventType
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_service_types')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OpeningHours',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='opening_hours', on_delete=OnDelete.CASCADE)),
                ('weekday', fields.SmallIntField()),
                ('opens_at', fields.TimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.TimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'opening_hours', 'app': 'models', 'indexes': [Index(fields=['agency_id', 'weekday'])], 'pk_attr': 'id', 'table_description': "One opening span of a weekday (0 is Monday), on the agency's wall clock."},
            bases=['Model'],
        ),
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
