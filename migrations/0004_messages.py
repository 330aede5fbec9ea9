from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import EventType
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_event_subject_opening_hours')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ClientPremium',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client', fields.OneToOneField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='premium', on_delete=OnDelete.CASCADE)),
                ('set_by', fields.ForeignKeyField('models.Account', source_field='set_by_id', null=True, db_constraint=True, to_field='id', related_name='premium_clients_set', on_delete=OnDelete.SET_NULL)),
                ('since', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'client_premium', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A premium client: a shorter reply promise and first place in the staff queue.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Conversation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client', fields.OneToOneField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='conversation', on_delete=OnDelete.CASCADE)),
                ('agency_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_message_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('waiting_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('response_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('overdue_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'conversation', 'app': 'models', 'indexes': [Index(fields=['agency_id', 'last_message_at']), Index(fields=['agency_id', 'response_due_at']), Index(fields=['overdue_at', 'response_due_at'])], 'pk_attr': 'id', 'table_description': 'The one thread between a client and its agency.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Message',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('conversation', fields.ForeignKeyField('models.Conversation', source_field='conversation_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.Account', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.SET_NULL)),
                ('from_client', fields.BooleanField()),
                ('body', fields.TextField(unique=False)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('client_read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('agency_read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('intervention', fields.ForeignKeyField('models.Intervention', source_field='intervention_id', null=True, db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.SET_NULL)),
                ('response_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'message', 'app': 'models', 'indexes': [Index(fields=['conversation_id', 'id']), Index(fields=['author_id', 'sent_at'])], 'pk_attr': 'id', 'table_description': 'Plain text as written, never rendered as HTML by Passage.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MessageAttachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message', fields.ForeignKeyField('models.Message', source_field='message_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('filename', fields.CharField(max_length=120)),
                ('content_type', fields.CharField(max_length=40)),
                ('size', fields.IntField()),
                ('data', fields.BinaryField()),
            ],
            options={'table': 'message_attachment', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A small image or PDF, kept in the database so every process can serve it.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Event',
            name='type',
            field=fields.CharEnumField(description='SCHEDULED: SCHEDULED\nRESCHEDULED: RESCHEDULED\nREASSIGNED: REASSIGNED\nCANCELLED: CANCELLED\nARRIVED: ARRIVED\nDEPARTED: DEPARTED\nLATE: LATE\nMISSED: MISSED\nMESSAGE_SENT: MESSAGE_SENT\nCONVERSATION_OVERDUE: CONVERSATION_OVERDUE\nCONVERSATION_READ: CONVERSATION_READ\nRATED: RATED', enum_type=EventType, max_length=24),
        ),
    ]
