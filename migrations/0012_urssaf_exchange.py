"""URSSAF exchange: enrolments, payment requests, advance history and the exchange audit."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import AdvanceStatus, EventType, UrssafEnrolmentStatus, UrssafRequestState
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_tax_documents')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AdvanceChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='advance_changes', on_delete=OnDelete.CASCADE)),
                ('from_status', fields.CharEnumField(null=True, description='TO_SEND: TO_SEND\nSENT: SENT\nAWAITING_VALIDATION: AWAITING_VALIDATION\nVALIDATED: VALIDATED\nREFUSED: REFUSED\nCONTESTED: CONTESTED\nCANCELLED: CANCELLED\nPAID: PAID', enum_type=AdvanceStatus, max_length=24)),
                ('to_status', fields.CharEnumField(description='TO_SEND: TO_SEND\nSENT: SENT\nAWAITING_VALIDATION: AWAITING_VALIDATION\nVALIDATED: VALIDATED\nREFUSED: REFUSED\nCONTESTED: CONTESTED\nCANCELLED: CANCELLED\nPAID: PAID', enum_type=AdvanceStatus, max_length=24)),
                ('source', fields.CharField(max_length=10)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('actor', fields.ForeignKeyField('models.Account', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='advance_changes', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'advance_change', 'app': 'models', 'indexes': [Index(fields=['invoice_id', 'id'])], 'pk_attr': 'id', 'table_description': "Each move of an invoice's advance status, by URSSAF (the poll) or by staff (override)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UrssafEnrolment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client', fields.OneToOneField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='urssaf_enrolment', on_delete=OnDelete.CASCADE)),
                ('agency_id', fields.IntField(db_index=True)),
                ('status', fields.CharEnumField(default=UrssafEnrolmentStatus.PENDING, description='PENDING: PENDING\nREFUSED: REFUSED\nENROLLED: ENROLLED', enum_type=UrssafEnrolmentStatus, max_length=10)),
                ('urssaf_id', fields.CharField(null=True, unique=True, max_length=50)),
                ('civility', fields.CharField(max_length=1)),
                ('birth_name', fields.CharField(max_length=80)),
                ('usage_name', fields.CharField(default='', max_length=80)),
                ('first_names', fields.CharField(max_length=80)),
                ('birth_date', fields.DateField()),
                ('birth_country_code', fields.CharField(max_length=5)),
                ('birth_commune_code', fields.CharField(default='', max_length=5)),
                ('birth_commune_label', fields.CharField(default='', max_length=50)),
                ('street_number', fields.CharField(default='', max_length=20)),
                ('street_name', fields.CharField(default='', max_length=28)),
                ('address_complement', fields.CharField(default='', max_length=38)),
                ('postal_code', fields.CharField(max_length=5)),
                ('commune_code', fields.CharField(max_length=5)),
                ('commune_label', fields.CharField(max_length=50)),
                ('email', fields.CharField(max_length=254)),
                ('mobile', fields.CharField(max_length=16)),
                ('iban_sealed', fields.TextField(unique=False)),
                ('iban_last4', fields.CharField(max_length=4)),
                ('bic', fields.CharField(max_length=11)),
                ('account_holder', fields.CharField(max_length=100)),
                ('error_code', fields.CharField(default='', max_length=60)),
                ('error_message', fields.CharField(default='', max_length=300)),
                ('entered_by', fields.ForeignKeyField('models.Account', source_field='entered_by_id', null=True, db_constraint=True, to_field='id', related_name='urssaf_enrolments', on_delete=OnDelete.SET_NULL)),
                ('enrolled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'urssaf_enrolment', 'app': 'models', 'pk_attr': 'id', 'table_description': "A household's registration with URSSAF (POST /particulier), one per household."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UrssafExchange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('operation', fields.CharField(max_length=30)),
                ('method', fields.CharField(max_length=6)),
                ('path', fields.CharField(max_length=200)),
                ('status', fields.IntField(null=True)),
                ('duration_ms', fields.IntField()),
                ('request_body', fields.TextField(unique=False)),
                ('response_body', fields.TextField(unique=False)),
                ('error', fields.CharField(default='', max_length=200)),
                ('client_id', fields.IntField(null=True, db_index=True)),
            ],
            options={'table': 'urssaf_exchange', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One HTTP call to URSSAF and its answer, secrets and IBANs masked (the audit).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UrssafPaymentRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invoice', fields.OneToOneField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='urssaf_request', on_delete=OnDelete.RESTRICT)),
                ('agency_id', fields.IntField()),
                ('client_id', fields.IntField()),
                ('invoice_number', fields.CharField(max_length=30)),
                ('state', fields.CharEnumField(default=UrssafRequestState.PENDING, description='PENDING: PENDING\nSENT: SENT\nREJECTED: REJECTED', enum_type=UrssafRequestState, max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claim', fields.CharField(null=True, max_length=32)),
                ('last_error', fields.CharField(default='', max_length=200)),
                ('urssaf_id', fields.CharField(null=True, unique=True, max_length=50)),
                ('status_code', fields.CharField(default='', max_length=4)),
                ('reason_code', fields.CharField(default='', max_length=40)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('next_poll_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('poll_claim', fields.CharField(null=True, max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'urssaf_payment_request', 'app': 'models', 'indexes': [Index(fields=['state', 'next_attempt_at']), Index(fields=['state', 'next_poll_at'])], 'pk_attr': 'id', 'table_description': "One invoice's payment request: unique per invoice, so it can never be queued twice."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Event',
            name='type',
            field=fields.CharEnumField(description='SCHEDULED: SCHEDULED\nRESCHEDULED: RESCHEDULED\nREASSIGNED: REASSIGNED\nCANCELLED: CANCELLED\nARRIVED: ARRIVED\nDEPARTED: DEPARTED\nLATE: LATE\nMISSED: MISSED\nINVOICE_ISSUED: INVOICE_ISSUED\nCREDIT_NOTE_ISSUED: CREDIT_NOTE_ISSUED\nPAYMENT_RECORDED: PAYMENT_RECORDED\nCERTIFICATE_PUBLISHED: CERTIFICATE_PUBLISHED\nMESSAGE_SENT: MESSAGE_SENT\nCONVERSATION_OVERDUE: CONVERSATION_OVERDUE\nCONVERSATION_READ: CONVERSATION_READ\nRATED: RATED\nREQUEST_CREATED: REQUEST_CREATED\nREQUEST_APPROVED: REQUEST_APPROVED\nREQUEST_REJECTED: REQUEST_REJECTED\nREQUEST_WITHDRAWN: REQUEST_WITHDRAWN\nABSENCE_DECLARED: ABSENCE_DECLARED\nADVANCE_STATUS_CHANGED: ADVANCE_STATUS_CHANGED', enum_type=EventType, max_length=24),
        ),
    ]
