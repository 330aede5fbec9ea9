"""Personal data rights: e-mail changes, exports, deletions, privacy audit, legal archive."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import AccountStatus, DataExportStatus, DeletionReason, DeletionStatus, EventType, PrivacyAction, TokenPurpose
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0012_urssaf_exchange')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountDeletion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='deletions', on_delete=OnDelete.CASCADE)),
                ('client_id', fields.IntField(null=True, db_index=True)),
                ('agency_id', fields.IntField(null=True)),
                ('reason', fields.CharEnumField(description='REQUESTED: REQUESTED\nINACTIVITY: INACTIVITY', enum_type=DeletionReason, max_length=12)),
                ('status', fields.CharEnumField(description='AWAITING_CONFIRMATION: AWAITING_CONFIRMATION\nSCHEDULED: SCHEDULED\nCANCELLED: CANCELLED\nDONE: DONE', enum_type=DeletionStatus, max_length=24)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('effective_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('archive_until', fields.DateField(null=True)),
                ('archive_purged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_deletion', 'app': 'models', 'indexes': [Index(fields=['status', 'effective_at'])], 'pk_attr': 'id', 'table_description': 'An erasure on its way: confirmed by e-mail, then carried out after a grace period.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ArchivedDocument',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency_id', fields.IntField()),
                ('client_id', fields.IntField(db_index=True)),
                ('filename', fields.CharField(max_length=120)),
                ('content', fields.BinaryField()),
                ('archived_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('keep_until', fields.DateField()),
            ],
            options={'table': 'archived_document', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A document the law makes the agency keep, frozen as printed when its household'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DataExport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='data_exports', on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='data_exports', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=DataExportStatus.PENDING, description='PENDING: PENDING\nRUNNING: RUNNING\nREADY: READY\nFAILED: FAILED\nEXPIRED: EXPIRED', enum_type=DataExportStatus, max_length=10)),
                ('progress', fields.SmallIntField(default=0)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ready_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('archive', fields.BinaryField(null=True)),
                ('size_bytes', fields.IntField(default=0)),
            ],
            options={'table': 'data_export', 'app': 'models', 'indexes': [Index(fields=['status', 'requested_at']), Index(fields=['client_id', 'requested_at'])], 'pk_attr': 'id', 'table_description': 'A ZIP of everything about one household, built in the background, kept a short while.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmailChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='email_changes', on_delete=OnDelete.CASCADE)),
                ('new_email', fields.CharField(max_length=254)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'email_change', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A new address waiting for its owner to follow the link sent to it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobClaim',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('next_run_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job_claim', 'app': 'models', 'pk_attr': 'name', 'table_description': 'When a scheduled job may next run: the process that moves it forward runs it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PrivacyAudit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('action', fields.CharEnumField(description='EXPORT_REQUESTED: EXPORT_REQUESTED\nEXPORT_DOWNLOADED: EXPORT_DOWNLOADED\nRECTIFIED: RECTIFIED\nEMAIL_CHANGED: EMAIL_CHANGED\nDELETION_REQUESTED: DELETION_REQUESTED\nDELETION_CONFIRMED: DELETION_CONFIRMED\nDELETION_CANCELLED: DELETION_CANCELLED\nERASED: ERASED\nARCHIVE_PURGED: ARCHIVE_PURGED\nINACTIVITY_WARNED: INACTIVITY_WARNED\nFILE_ACCESSED: FILE_ACCESSED', enum_type=PrivacyAction, max_length=20)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('agency_id', fields.IntField(null=True)),
                ('client_id', fields.IntField(null=True)),
                ('subject_account_id', fields.IntField(null=True)),
                ('actor_account_id', fields.IntField(null=True)),
                ('detail', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'privacy_audit', 'app': 'models', 'indexes': [Index(fields=['agency_id', 'at']), Index(fields=['client_id', 'at'])], 'pk_attr': 'id', 'table_description': "Who exported, rectified, erased or opened a household's file, and when."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VisitAddressFlag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('intervention', fields.ForeignKeyField('models.Intervention', source_field='intervention_id', db_constraint=True, to_field='id', related_name='address_flags', on_delete=OnDelete.CASCADE)),
                ('agency_id', fields.IntField(db_index=True)),
                ('reason', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'visit_address_flag', 'app': 'models', 'pk_attr': 'id', 'table_description': "A planned visit whose address was removed or moved out of the agency's area."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Account',
            name='status',
            field=fields.CharEnumField(default=AccountStatus.ACTIVE, description='ACTIVE: ACTIVE\nDISABLED: DISABLED\nCLOSED: CLOSED', enum_type=AccountStatus, max_length=10),
        ),
        ops.AddField(
            model_name='Address',
            name='removed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Client',
            name='erased_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='Event',
            name='type',
            field=fields.CharEnumField(description='SCHEDULED: SCHEDULED\nRESCHEDULED: RESCHEDULED\nREASSIGNED: REASSIGNED\nCANCELLED: CANCELLED\nARRIVED: ARRIVED\nDEPARTED: DEPARTED\nLATE: LATE\nMISSED: MISSED\nINVOICE_ISSUED: INVOICE_ISSUED\nCREDIT_NOTE_ISSUED: CREDIT_NOTE_ISSUED\nPAYMENT_RECORDED: PAYMENT_RECORDED\nCERTIFICATE_PUBLISHED: CERTIFICATE_PUBLISHED\nMESSAGE_SENT: MESSAGE_SENT\nCONVERSATION_OVERDUE: CONVERSATION_OVERDUE\nCONVERSATION_READ: CONVERSATION_READ\nRATED: RATED\nREQUEST_CREATED: REQUEST_CREATED\nREQUEST_APPROVED: REQUEST_APPROVED\nREQUEST_REJECTED: REQUEST_REJECTED\nREQUEST_WITHDRAWN: REQUEST_WITHDRAWN\nABSENCE_DECLARED: ABSENCE_DECLARED\nDATA_EXPORT_READY: DATA_EXPORT_READY', enum_type=EventType, max_length=24),
        ),
        ops.AlterField(
            model_name='OneTimeToken',
            name='purpose',
            field=fields.CharEnumField(description='VERIFY_EMAIL: VERIFY_EMAIL\nRESET_PASSWORD: RESET_PASSWORD\nCHANGE_EMAIL: CHANGE_EMAIL\nCONFIRM_DELETION: CONFIRM_DELETION', enum_type=TokenPurpose, max_length=20),
        ),
    ]
