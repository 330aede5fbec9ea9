"""Care beyond the visit: damage claims, call-backs, attendance anomalies, help search terms."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import AnomalyKind, CallbackOutcome, CallbackTopic, CallbackUrgency, ClaimStatus, EventType, NotificationTopic
from models.help import HelpCategory
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_privacy')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AgencyCare',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.OneToOneField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='care', on_delete=OnDelete.CASCADE)),
                ('claim_deadline_days', fields.SmallIntField(default=7)),
                ('premium_support_phone', fields.CharField(default='', max_length=20)),
                ('early_check_in_minutes', fields.SmallIntField(default=15)),
                ('duration_tolerance_percent', fields.SmallIntField(default=50)),
                ('updated_by', fields.ForeignKeyField('models.Account', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name='care_settings_set', on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'agency_care', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AttendanceAnomaly',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('intervention', fields.ForeignKeyField('models.Intervention', source_field='intervention_id', db_constraint=True, to_field='id', related_name='anomalies', on_delete=OnDelete.CASCADE)),
                ('agency_id', fields.IntField()),
                ('kind', fields.CharEnumField(description='EARLY_CHECK_IN: EARLY_CHECK_IN\nTOO_SHORT: TOO_SHORT\nTOO_LONG: TOO_LONG\nFAR_CHECK_IN: FAR_CHECK_IN\nFAR_CHECK_OUT: FAR_CHECK_OUT\nMISSING_CHECK_OUT: MISSING_CHECK_OUT', enum_type=AnomalyKind, max_length=20)),
                ('detail', fields.CharField(default='', max_length=200)),
                ('detected_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_by', fields.ForeignKeyField('models.Account', source_field='resolved_by_id', null=True, db_constraint=True, to_field='id', related_name='resolved_anomalies', on_delete=OnDelete.SET_NULL)),
                ('correction_id', fields.IntField(null=True)),
            ],
            options={'table': 'attendance_anomaly', 'app': 'models', 'unique_together': (('intervention', 'kind'),), 'indexes': [Index(fields=['agency_id', 'resolved_at', 'detected_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CallbackRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency_id', fields.IntField()),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='callback_requests', on_delete=OnDelete.CASCADE)),
                ('topic', fields.CharEnumField(description='VISIT: VISIT\nBILLING: BILLING\nTAX_CREDIT: TAX_CREDIT\nCLAIM: CLAIM\nACCOUNT: ACCOUNT\nOTHER: OTHER', enum_type=CallbackTopic, max_length=12)),
                ('urgency', fields.CharEnumField(description='NORMAL: NORMAL\nURGENT: URGENT', enum_type=CallbackUrgency, max_length=8)),
                ('slots', fields.TextField(default='', unique=False)),
                ('note', fields.CharField(default='', max_length=500)),
                ('phone', fields.CharField(max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('overdue_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharEnumField(null=True, description='RESOLVED: RESOLVED\nFOLLOW_UP: FOLLOW_UP\nNO_ANSWER: NO_ANSWER', enum_type=CallbackOutcome, max_length=10)),
                ('outcome_note', fields.CharField(default='', max_length=500)),
                ('handled_by', fields.ForeignKeyField('models.Account', source_field='handled_by_id', null=True, db_constraint=True, to_field='id', related_name='handled_callbacks', on_delete=OnDelete.SET_NULL)),
                ('handled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'callback_request', 'app': 'models', 'indexes': [Index(fields=['agency_id', 'handled_at', 'due_at']), Index(fields=['overdue_at', 'due_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Claim',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency_id', fields.IntField()),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.CASCADE)),
                ('intervention', fields.ForeignKeyField('models.Intervention', source_field='intervention_id', db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.RESTRICT)),
                ('worker_id', fields.IntField(null=True)),
                ('status', fields.CharEnumField(default=ClaimStatus.REPORTED, description='REPORTED: REPORTED\nACKNOWLEDGED: ACKNOWLEDGED\nINVESTIGATING: INVESTIGATING\nREPAIRED: REPAIRED\nREIMBURSED: REIMBURSED\nDECLINED: DECLINED', enum_type=ClaimStatus, max_length=14)),
                ('description', fields.TextField(unique=False)),
                ('location', fields.CharField(max_length=200)),
                ('noticed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('estimated_value_cents', fields.IntField(null=True)),
                ('worker_account', fields.TextField(default='', unique=False)),
                ('insurer_reference', fields.CharField(default='', max_length=60)),
                ('reimbursed_cents', fields.IntField(null=True)),
                ('outcome_note', fields.CharField(default='', max_length=500)),
                ('handled_by', fields.ForeignKeyField('models.Account', source_field='handled_by_id', null=True, db_constraint=True, to_field='id', related_name='handled_claims', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'claim', 'app': 'models', 'indexes': [Index(fields=['agency_id', 'status', 'created_at']), Index(fields=['client_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClaimAttachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('claim', fields.ForeignKeyField('models.Claim', source_field='claim_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('filename', fields.CharField(max_length=120)),
                ('content_type', fields.CharField(max_length=40)),
                ('size', fields.IntField()),
                ('data', fields.BinaryField()),
            ],
            options={'table': 'claim_attachment', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A photo or PDF of the damage, checked like message attachments.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UrgentPhone',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.OneToOneField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='urgent_phone', on_delete=OnDelete.CASCADE)),
                ('phone', fields.CharField(max_length=20)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'urgent_phone', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A number the agency may call for urgent matters only (issue 19: the phone channel).'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='ContactPreference',
            name='topic',
            field=fields.CharEnumField(description='ATTENDANCE: ATTENDANCE\nSCHEDULE: SCHEDULE\nREQUEST_DECISION: REQUEST_DECISION\nMESSAGE_REPLY: MESSAGE_REPLY\nBILLING: BILLING\nSECURITY: SECURITY\nCLAIM: CLAIM\nCALLBACK: CALLBACK', enum_type=NotificationTopic, max_length=20),
        ),
        ops.AlterField(
            model_name='DigestItem',
            name='topic',
            field=fields.CharEnumField(description='ATTENDANCE: ATTENDANCE\nSCHEDULE: SCHEDULE\nREQUEST_DECISION: REQUEST_DECISION\nMESSAGE_REPLY: MESSAGE_REPLY\nBILLING: BILLING\nSECURITY: SECURITY\nCLAIM: CLAIM\nCALLBACK: CALLBACK', enum_type=NotificationTopic, max_length=20),
        ),
        ops.AlterField(
            model_name='Event',
            name='type',
            field=fields.CharEnumField(description='SCHEDULED: SCHEDULED\nRESCHEDULED: RESCHEDULED\nREASSIGNED: REASSIGNED\nCANCELLED: CANCELLED\nARRIVED: ARRIVED\nDEPARTED: DEPARTED\nLATE: LATE\nMISSED: MISSED\nINVOICE_ISSUED: INVOICE_ISSUED\nCREDIT_NOTE_ISSUED: CREDIT_NOTE_ISSUED\nPAYMENT_RECORDED: PAYMENT_RECORDED\nCERTIFICATE_PUBLISHED: CERTIFICATE_PUBLISHED\nMESSAGE_SENT: MESSAGE_SENT\nCONVERSATION_OVERDUE: CONVERSATION_OVERDUE\nCONVERSATION_READ: CONVERSATION_READ\nRATED: RATED\nREQUEST_CREATED: REQUEST_CREATED\nREQUEST_APPROVED: REQUEST_APPROVED\nREQUEST_REJECTED: REQUEST_REJECTED\nREQUEST_WITHDRAWN: REQUEST_WITHDRAWN\nABSENCE_DECLARED: ABSENCE_DECLARED\nCLAIM_REPORTED: CLAIM_REPORTED\nCLAIM_UPDATED: CLAIM_UPDATED\nCALLBACK_REQUESTED: CALLBACK_REQUESTED\nCALLBACK_LOGGED: CALLBACK_LOGGED\nCALLBACK_OVERDUE: CALLBACK_OVERDUE\nANOMALY_FLAGGED: ANOMALY_FLAGGED\nANOMALY_RESOLVED: ANOMALY_RESOLVED', enum_type=EventType, max_length=24),
        ),
        ops.AlterField(
            model_name='HelpArticle',
            name='category',
            field=fields.CharEnumField(description='GETTING_STARTED: GETTING_STARTED\nVISITS: VISITS\nBILLING: BILLING\nTAX_CREDIT: TAX_CREDIT\nACCOUNT: ACCOUNT\nHOUSEKEEPING_TIPS: HOUSEKEEPING_TIPS\nCONTACT: CONTACT\nFURNITURE_CARE: FURNITURE_CARE\nECO_PRODUCTS: ECO_PRODUCTS\nDAMAGE: DAMAGE', enum_type=HelpCategory, max_length=20),
        ),
        ops.AddField(
            model_name='HelpArticle',
            name='search_terms',
            field=fields.CharField(default='', max_length=500),
        ),
    ]
