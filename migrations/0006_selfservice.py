from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import AbsencePolicy, ChangeRequestKind, ChangeRequestStatus, DigestFrequency, EventType, NotificationTopic
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_help')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Absence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency_id', fields.IntField()),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='absences', on_delete=OnDelete.CASCADE)),
                ('first_day', fields.DateField()),
                ('last_day', fields.DateField()),
                ('note', fields.CharField(default='', max_length=500)),
                ('policy', fields.CharEnumField(description='CANCEL: CANCEL\nOFFER_RESCHEDULE: OFFER_RESCHEDULE', enum_type=AbsencePolicy, max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'absence', 'app': 'models', 'indexes': [Index(fields=['client_id', 'last_day']), Index(fields=['agency_id', 'id'])], 'pk_attr': 'id', 'table_description': 'A household away from `first_day` to `last_day` (agency days, inclusive).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AbsenceVisit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('absence', fields.ForeignKeyField('models.Absence', source_field='absence_id', db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.CASCADE)),
                ('intervention_id', fields.IntField()),
                ('to_reschedule', fields.BooleanField()),
                ('rescheduled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'absence_visit', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A visit an absence took out, and whether it is to be rescheduled.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgencyPolicy',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.OneToOneField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='policy', on_delete=OnDelete.CASCADE)),
                ('min_notice_hours', fields.IntField(default=48)),
                ('auto_approve', fields.BooleanField(default=False)),
                ('absence_policy', fields.CharEnumField(default=AbsencePolicy.OFFER_RESCHEDULE, description='CANCEL: CANCEL\nOFFER_RESCHEDULE: OFFER_RESCHEDULE', enum_type=AbsencePolicy, max_length=20)),
                ('late_cancellation_billable', fields.BooleanField(default=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'agency_policy', 'app': 'models', 'pk_attr': 'id', 'table_description': 'How an agency handles client requests. An agency without a row has the defaults.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChangeRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='change_requests', on_delete=OnDelete.RESTRICT)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='change_requests', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='EXTRA_VISIT: EXTRA_VISIT\nSERVICE_CHANGE: SERVICE_CHANGE\nNEW_SLOT: NEW_SLOT\nNEW_DURATION: NEW_DURATION\nCANCELLATION: CANCELLATION\nPLAN_CHANGE: PLAN_CHANGE', enum_type=ChangeRequestKind, max_length=20)),
                ('status', fields.CharEnumField(default=ChangeRequestStatus.PENDING, description='PENDING: PENDING\nAPPROVED: APPROVED\nREJECTED: REJECTED\nWITHDRAWN: WITHDRAWN', enum_type=ChangeRequestStatus, max_length=10)),
                ('intervention', fields.ForeignKeyField('models.Intervention', source_field='intervention_id', null=True, db_constraint=True, to_field='id', related_name='change_requests', on_delete=OnDelete.CASCADE)),
                ('plan', fields.ForeignKeyField('models.RecurringPlan', source_field='plan_id', null=True, db_constraint=True, to_field='id', related_name='change_requests', on_delete=OnDelete.CASCADE)),
                ('service_type', fields.ForeignKeyField('models.ServiceType', source_field='service_type_id', null=True, db_constraint=True, to_field='id', related_name='change_requests', on_delete=OnDelete.RESTRICT)),
                ('requested_start', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('requested_end', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('weekday', fields.SmallIntField(null=True)),
                ('start_minute', fields.SmallIntField(null=True)),
                ('duration_minutes', fields.IntField(null=True)),
                ('valid_from', fields.DateField(null=True)),
                ('note', fields.CharField(default='', max_length=1000)),
                ('late', fields.BooleanField(default=False)),
                ('decision_reason', fields.CharField(default='', max_length=500)),
                ('decided_by', fields.ForeignKeyField('models.Account', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='decided_requests', on_delete=OnDelete.SET_NULL)),
                ('auto_approved', fields.BooleanField(default=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('result_intervention_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'change_request', 'app': 'models', 'indexes': [Index(fields=['agency_id', 'status', 'created_at']), Index(fields=['client_id', 'id'])], 'pk_attr': 'id', 'table_description': "A client's request to change its visits, waiting for the agency or decided."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContactPreference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='contact_preferences', on_delete=OnDelete.CASCADE)),
                ('topic', fields.CharEnumField(description='ATTENDANCE: ATTENDANCE\nSCHEDULE: SCHEDULE\nREQUEST_DECISION: REQUEST_DECISION\nMESSAGE_REPLY: MESSAGE_REPLY\nBILLING: BILLING\nSECURITY: SECURITY', enum_type=NotificationTopic, max_length=20)),
                ('email', fields.BooleanField()),
                ('sms', fields.BooleanField()),
                ('frequency', fields.CharEnumField(description='INSTANT: INSTANT\nDAILY: DAILY\nWEEKLY: WEEKLY', enum_type=DigestFrequency, max_length=10)),
            ],
            options={'table': 'contact_preference', 'app': 'models', 'unique_together': (('account', 'topic'),), 'pk_attr': 'id', 'table_description': "One topic's channels and frequency for one account. No row means the defaults."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Digest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='digests', on_delete=OnDelete.CASCADE)),
                ('frequency', fields.CharEnumField(description='INSTANT: INSTANT\nDAILY: DAILY\nWEEKLY: WEEKLY', enum_type=DigestFrequency, max_length=10)),
                ('period', fields.CharField(max_length=12)),
                ('items', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'digest', 'app': 'models', 'unique_together': (('account', 'frequency', 'period'),), 'pk_attr': 'id', 'table_description': 'One digest e-mail per account, frequency and period: the unique row is the claim.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DigestItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='digest_items', on_delete=OnDelete.CASCADE)),
                ('topic', fields.CharEnumField(description='ATTENDANCE: ATTENDANCE\nSCHEDULE: SCHEDULE\nREQUEST_DECISION: REQUEST_DECISION\nMESSAGE_REPLY: MESSAGE_REPLY\nBILLING: BILLING\nSECURITY: SECURITY', enum_type=NotificationTopic, max_length=20)),
                ('frequency', fields.CharEnumField(description='INSTANT: INSTANT\nDAILY: DAILY\nWEEKLY: WEEKLY', enum_type=DigestFrequency, max_length=10)),
                ('period', fields.CharField(max_length=12)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('kind', fields.CharField(max_length=40)),
                ('subject', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('digest_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'digest_item', 'app': 'models', 'indexes': [Index(fields=['digest_id', 'due_at']), Index(fields=['account_id', 'frequency', 'period'])], 'pk_attr': 'id', 'table_description': "A notification held for the account's next digest of `frequency`."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HouseholdProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client', fields.OneToOneField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='household_profile', on_delete=OnDelete.CASCADE)),
                ('favour_products', fields.CharField(default='', max_length=500)),
                ('avoid_products', fields.CharField(default='', max_length=500)),
                ('preferred_slots', fields.CharField(default='', max_length=500)),
                ('instructions', fields.CharField(default='', max_length=1000)),
                ('access_codes_sealed', fields.TextField(default='', unique=False)),
                ('reduced_mobility', fields.BooleanField(default=False)),
                ('large_family', fields.BooleanField(default=False)),
                ('pets', fields.CharField(default='', max_length=200)),
                ('allergies', fields.CharField(default='', max_length=500)),
                ('other_needs', fields.CharField(default='', max_length=500)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'household_profile', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Standing preferences and specific needs of a household.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LateCancellation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('intervention', fields.OneToOneField('models.Intervention', source_field='intervention_id', db_constraint=True, to_field='id', related_name='late_cancellation', on_delete=OnDelete.CASCADE)),
                ('agency_id', fields.IntField(db_index=True)),
                ('billable', fields.BooleanField()),
                ('notice_hours', fields.IntField()),
                ('change_request_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'late_cancellation', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A visit cancelled inside the notice period, kept for billing to invoice.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuietHours',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.OneToOneField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='quiet_hours', on_delete=OnDelete.CASCADE)),
                ('start_minute', fields.SmallIntField()),
                ('end_minute', fields.SmallIntField()),
            ],
            options={'table': 'quiet_hours', 'app': 'models', 'pk_attr': 'id', 'table_description': 'No SMS between these wall-clock minutes (agency zone), e.g. 1260 to 480 is 21:00-08:00.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VisitNote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('intervention', fields.OneToOneField('models.Intervention', source_field='intervention_id', db_constraint=True, to_field='id', related_name='client_note', on_delete=OnDelete.CASCADE)),
                ('body', fields.CharField(max_length=1000)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'visit_note', 'app': 'models', 'pk_attr': 'id', 'table_description': "The client's note on one visit (family visit, works, moving), for the worker."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Event',
            name='type',
            field=fields.CharEnumField(description='SCHEDULED: SCHEDULED\nRESCHEDULED: RESCHEDULED\nREASSIGNED: REASSIGNED\nCANCELLED: CANCELLED\nARRIVED: ARRIVED\nDEPARTED: DEPARTED\nLATE: LATE\nMISSED: MISSED\nMESSAGE_SENT: MESSAGE_SENT\nCONVERSATION_OVERDUE: CONVERSATION_OVERDUE\nCONVERSATION_READ: CONVERSATION_READ\nRATED: RATED\nREQUEST_CREATED: REQUEST_CREATED\nREQUEST_APPROVED: REQUEST_APPROVED\nREQUEST_REJECTED: REQUEST_REJECTED\nREQUEST_WITHDRAWN: REQUEST_WITHDRAWN\nABSENCE_DECLARED: ABSENCE_DECLARED', enum_type=EventType, max_length=24),
        ),
        ops.AddField(
            model_name='OutboundMessage',
            name='body_html',
            field=fields.TextField(default='', unique=False),
        ),
    ]
