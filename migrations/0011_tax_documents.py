"""Tax and billing documents: agency identity, travel lines, advance corrections, certificate versions."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import EventType, InvoiceKind, VatRegime
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_advance_statuses')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SupersededCertificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('certificate', fields.ForeignKeyField('models.TaxCertificate', source_field='certificate_id', db_constraint=True, to_field='id', related_name='superseded', on_delete=OnDelete.RESTRICT)),
                ('version', fields.SmallIntField()),
                ('amount_paid_cents', fields.IntField()),
                ('eligible_cents', fields.IntField()),
                ('advance_cents', fields.IntField()),
                ('aid_cents', fields.IntField()),
                ('cesu_cents', fields.IntField()),
                ('issued_on', fields.DateField(null=True)),
                ('published_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('superseded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'superseded_certificate', 'app': 'models', 'unique_together': (('certificate', 'version'),), 'pk_attr': 'id', 'table_description': 'A version of a tax certificate replaced by a corrected one, kept as it was.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Agency',
            name='email',
            field=fields.CharField(default='', max_length=254),
        ),
        ops.AddField(
            model_name='Agency',
            name='legal_name',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Agency',
            name='phone',
            field=fields.CharField(default='', max_length=20),
        ),
        ops.AddField(
            model_name='Agency',
            name='vat_regime',
            field=fields.CharEnumField(default=VatRegime.SUBJECT, description='SUBJECT: SUBJECT\nEXEMPT: EXEMPT', enum_type=VatRegime, max_length=8),
        ),
        ops.AddField(
            model_name='AgencyBillingRule',
            name='travel_fee_cents',
            field=fields.IntField(default=0),
        ),
        ops.AlterField(
            model_name='Event',
            name='type',
            field=fields.CharEnumField(description='SCHEDULED: SCHEDULED\nRESCHEDULED: RESCHEDULED\nREASSIGNED: REASSIGNED\nCANCELLED: CANCELLED\nARRIVED: ARRIVED\nDEPARTED: DEPARTED\nLATE: LATE\nMISSED: MISSED\nINVOICE_ISSUED: INVOICE_ISSUED\nCREDIT_NOTE_ISSUED: CREDIT_NOTE_ISSUED\nPAYMENT_RECORDED: PAYMENT_RECORDED\nCERTIFICATE_PUBLISHED: CERTIFICATE_PUBLISHED\nMESSAGE_SENT: MESSAGE_SENT\nCONVERSATION_OVERDUE: CONVERSATION_OVERDUE\nCONVERSATION_READ: CONVERSATION_READ\nRATED: RATED\nREQUEST_CREATED: REQUEST_CREATED\nREQUEST_APPROVED: REQUEST_APPROVED\nREQUEST_REJECTED: REQUEST_REJECTED\nREQUEST_WITHDRAWN: REQUEST_WITHDRAWN\nABSENCE_DECLARED: ABSENCE_DECLARED\nADVANCE_STATUS_CHANGED: ADVANCE_STATUS_CHANGED\nCERTIFICATE_CORRECTED: CERTIFICATE_CORRECTED', enum_type=EventType, max_length=24),
        ),
        ops.AlterField(
            model_name='Invoice',
            name='kind',
            field=fields.CharEnumField(default=InvoiceKind.INVOICE, description='INVOICE: INVOICE\nCREDIT_NOTE: CREDIT_NOTE\nCORRECTION: CORRECTION', enum_type=InvoiceKind, max_length=12),
        ),
        ops.AddField(
            model_name='Invoice',
            name='advance_reason',
            field=fields.CharField(default='', max_length=300),
        ),
        ops.AddField(
            model_name='Invoice',
            name='vat_exempt',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='InvoiceLine',
            name='travel',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='TaxCertificate',
            name='advance_cents',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='TaxCertificate',
            name='aid_cents',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='TaxCertificate',
            name='cesu_cents',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='TaxCertificate',
            name='eligible_cents',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='TaxCertificate',
            name='issued_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='TaxCertificate',
            name='version',
            field=fields.SmallIntField(default=1),
        ),
    ]
