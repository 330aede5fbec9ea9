"""Billing: invoices, credit notes, payments, client billing facts, tax-credit law per year.

The tax-credit rows are the law (article 199 sexdecies of the CGI): 50 %, 12,000 EUR of
expenses + 1,500 EUR per dependent child or member over 65, capped at 15,000 EUR, 20,000
EUR with a disability card, first year of direct employment 15,000 EUR + 1,500 EUR capped
at 18,000 EUR. A new year's law is one more row in a later migration.
"""
from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import AdvanceStatus, EventType, InvoiceKind, InvoiceStatus, PaymentMethod, ServiceMode
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_selfservice')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AgencyBillingRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.OneToOneField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='billing_rule', on_delete=OnDelete.CASCADE)),
                ('rounding_step_minutes', fields.SmallIntField(default=15)),
                ('rounding_mode', fields.CharField(default='NEAREST', max_length=8)),
                ('payment_terms_days', fields.SmallIntField(default=15)),
                ('mandate_fee_cents_per_hour', fields.IntField(default=250)),
            ],
            options={'table': 'agency_billing_rule', 'app': 'models', 'pk_attr': 'id', 'table_description': 'How an agency rounds worked time on invoices (one row per agency, defaults otherwise).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClientBillingProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client', fields.OneToOneField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='billing_profile', on_delete=OnDelete.CASCADE)),
                ('service_mode', fields.CharEnumField(default=ServiceMode.PRESTATAIRE, description='PRESTATAIRE: PRESTATAIRE\nMANDATAIRE: MANDATAIRE', enum_type=ServiceMode, max_length=12)),
                ('advance_enrolled', fields.BooleanField(default=False)),
                ('dependants', fields.SmallIntField(default=0)),
                ('members_over_65', fields.SmallIntField(default=0)),
                ('disability', fields.BooleanField(default=False)),
                ('first_direct_employment_year', fields.SmallIntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'client_billing_profile', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Billing facts of a household, beside Client: mode, immediate advance and ceiling facts.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invoice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='invoices', on_delete=OnDelete.RESTRICT)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='invoices', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(default=InvoiceKind.INVOICE, description='INVOICE: INVOICE\nCREDIT_NOTE: CREDIT_NOTE', enum_type=InvoiceKind, max_length=12)),
                ('service_mode', fields.CharEnumField(description='PRESTATAIRE: PRESTATAIRE\nMANDATAIRE: MANDATAIRE', enum_type=ServiceMode, max_length=12)),
                ('year', fields.SmallIntField()),
                ('sequence', fields.IntField()),
                ('number', fields.CharField(max_length=30)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('issued_on', fields.DateField()),
                ('due_on', fields.DateField()),
                ('period_start', fields.DateField()),
                ('period_end', fields.DateField()),
                ('credited_invoice', fields.ForeignKeyField('models.Invoice', source_field='credited_invoice_id', null=True, db_constraint=True, to_field='id', related_name='credit_notes', on_delete=OnDelete.RESTRICT)),
                ('credit_reason', fields.CharField(default='', max_length=500)),
                ('total_excl_cents', fields.IntField()),
                ('vat_cents', fields.IntField()),
                ('total_incl_cents', fields.IntField()),
                ('eligible_cents', fields.IntField(default=0)),
                ('advance_cents', fields.IntField(default=0)),
                ('amount_due_cents', fields.IntField()),
                ('advance_note', fields.CharField(default='', max_length=300)),
                ('advance_status', fields.CharEnumField(null=True, description='TO_SEND: TO_SEND\nSENT: SENT\nVALIDATED: VALIDATED\nREFUSED: REFUSED\nPAID: PAID', enum_type=AdvanceStatus, max_length=12)),
                ('status', fields.CharEnumField(default=InvoiceStatus.ISSUED, description='ISSUED: ISSUED\nPARTLY_PAID: PARTLY_PAID\nPAID: PAID\nOVERDUE: OVERDUE\nCREDITED: CREDITED', enum_type=InvoiceStatus, max_length=12)),
                ('paid_cents', fields.IntField(default=0)),
                ('agency_name', fields.CharField(max_length=200)),
                ('agency_address', fields.CharField(max_length=500)),
                ('sap_number', fields.CharField(max_length=40)),
                ('sap_declared_on', fields.DateField(null=True)),
                ('siret', fields.CharField(default='', max_length=14)),
                ('client_number', fields.CharField(max_length=20)),
                ('client_name', fields.CharField(max_length=200)),
                ('client_address', fields.CharField(max_length=500)),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='issued_invoices', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'invoice', 'app': 'models', 'unique_together': (('agency', 'year', 'sequence'),), 'indexes': [Index(fields=['client_id', 'year']), Index(fields=['agency_id', 'year'])], 'pk_attr': 'id', 'table_description': 'An invoice or a credit note, with the legal mentions copied at issue time.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BilledVisit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('intervention', fields.OneToOneField('models.Intervention', source_field='intervention_id', db_constraint=True, to_field='id', related_name='billed', on_delete=OnDelete.RESTRICT)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='billed_visits', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'billed_visit', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A visit on a live invoice: the unique key that stops a visit being invoiced twice.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvoiceCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='invoice_counters', on_delete=OnDelete.RESTRICT)),
                ('year', fields.SmallIntField()),
                ('last_number', fields.IntField(default=0)),
            ],
            options={'table': 'invoice_counter', 'app': 'models', 'unique_together': (('agency', 'year'),), 'pk_attr': 'id', 'table_description': 'The last number given per agency and year, locked while an invoice is numbered.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvoiceLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('intervention', fields.ForeignKeyField('models.Intervention', source_field='intervention_id', null=True, db_constraint=True, to_field='id', related_name='invoice_lines', on_delete=OnDelete.RESTRICT)),
                ('position', fields.SmallIntField()),
                ('label', fields.CharField(max_length=200)),
                ('service_date', fields.DateField()),
                ('start_time', fields.CharField(default='', max_length=5)),
                ('end_time', fields.CharField(default='', max_length=5)),
                ('place', fields.CharField(default='', max_length=500)),
                ('worker_name', fields.CharField(default='', max_length=200)),
                ('employee_number', fields.CharField(default='', max_length=20)),
                ('minutes', fields.IntField()),
                ('planned_duration', fields.BooleanField(default=False)),
                ('hourly_rate_cents', fields.IntField()),
                ('vat_rate_bp', fields.IntField()),
                ('excl_cents', fields.IntField()),
                ('vat_cents', fields.IntField()),
                ('incl_cents', fields.IntField()),
                ('tax_credit_eligible', fields.BooleanField(default=True)),
            ],
            options={'table': 'invoice_line', 'app': 'models', 'indexes': [Index(fields=['invoice_id', 'position'])], 'pk_attr': 'id', 'table_description': 'One completed visit, a late cancellation or a fee, priced at issue time.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Payment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.RESTRICT)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.RESTRICT)),
                ('method', fields.CharEnumField(description='CARD: CARD\nSEPA_DEBIT: SEPA_DEBIT\nTRANSFER: TRANSFER\nCHEQUE: CHEQUE\nCESU: CESU\nAPA: APA\nPCH: PCH', enum_type=PaymentMethod, max_length=12)),
                ('amount_cents', fields.IntField()),
                ('received_on', fields.DateField()),
                ('reference', fields.CharField(default='', max_length=100)),
                ('recorded_by', fields.ForeignKeyField('models.Account', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='recorded_payments', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payment', 'app': 'models', 'indexes': [Index(fields=['client_id', 'received_on'])], 'pk_attr': 'id', 'table_description': 'Money received for an invoice, partial or full.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Payslip',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='payslips', on_delete=OnDelete.RESTRICT)),
                ('worker', fields.ForeignKeyField('models.Worker', source_field='worker_id', db_constraint=True, to_field='id', related_name='payslips', on_delete=OnDelete.RESTRICT)),
                ('year', fields.SmallIntField()),
                ('month', fields.SmallIntField()),
                ('filename', fields.CharField(max_length=120)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('content', fields.BinaryField()),
                ('uploaded_by', fields.ForeignKeyField('models.Account', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='uploaded_payslips', on_delete=OnDelete.SET_NULL)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payslip', 'app': 'models', 'unique_together': (('client', 'worker', 'year', 'month'),), 'pk_attr': 'id', 'table_description': "A worker's payslip (PDF) for one month of work for one employing household."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TaxCertificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='tax_certificates', on_delete=OnDelete.RESTRICT)),
                ('year', fields.SmallIntField()),
                ('amount_paid_cents', fields.IntField()),
                ('published_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tax_certificate', 'app': 'models', 'unique_together': (('client', 'year'),), 'pk_attr': 'id', 'table_description': 'A published yearly certificate: the amounts are kept as they were when published.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TaxCreditRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('year', fields.SmallIntField(unique=True)),
                ('rate_bp', fields.IntField()),
                ('base_ceiling_cents', fields.IntField()),
                ('increment_cents', fields.IntField()),
                ('max_ceiling_cents', fields.IntField()),
                ('disability_ceiling_cents', fields.IntField()),
                ('first_year_base_ceiling_cents', fields.IntField()),
                ('first_year_max_ceiling_cents', fields.IntField()),
            ],
            options={'table': 'tax_credit_rule', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The law of one tax year (article 199 sexdecies CGI): rate and expense ceilings.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Event',
            name='type',
            field=fields.CharEnumField(description='SCHEDULED: SCHEDULED\nRESCHEDULED: RESCHEDULED\nREASSIGNED: REASSIGNED\nCANCELLED: CANCELLED\nARRIVED: ARRIVED\nDEPARTED: DEPARTED\nLATE: LATE\nMISSED: MISSED\nINVOICE_ISSUED: INVOICE_ISSUED\nCREDIT_NOTE_ISSUED: CREDIT_NOTE_ISSUED\nPAYMENT_RECORDED: PAYMENT_RECORDED\nCERTIFICATE_PUBLISHED: CERTIFICATE_PUBLISHED\nMESSAGE_SENT: MESSAGE_SENT\nCONVERSATION_OVERDUE: CONVERSATION_OVERDUE\nCONVERSATION_READ: CONVERSATION_READ\nRATED: RATED\nREQUEST_CREATED: REQUEST_CREATED\nREQUEST_APPROVED: REQUEST_APPROVED\nREQUEST_REJECTED: REQUEST_REJECTED\nREQUEST_WITHDRAWN: REQUEST_WITHDRAWN\nABSENCE_DECLARED: ABSENCE_DECLARED', enum_type=EventType, max_length=24),
        ),
        ops.RunSQL(
            "INSERT INTO tax_credit_rule (year, rate_bp, base_ceiling_cents, increment_cents, "
            "max_ceiling_cents, disability_ceiling_cents, first_year_base_ceiling_cents, "
            "first_year_max_ceiling_cents) VALUES (2024, 5000, 1200000, 150000, 1500000, 2000000, 1500000, 1800000), (2025, 5000, 1200000, 150000, 1500000, 2000000, 1500000, 1800000), (2026, 5000, 1200000, 150000, 1500000, 2000000, 1500000, 1800000)",
            reverse_sql="DELETE FROM tax_credit_rule WHERE year IN (2024, 2025, 2026)",
        ),
    ]
