from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import AccountStatus, OutboxStatus, Role, SecurityEventKind, TokenPurpose
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Agency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('sap_number', fields.CharField(default='', max_length=40)),
                ('sap_declared_on', fields.DateField(null=True)),
                ('siret', fields.CharField(default='', max_length=14)),
                ('address_line1', fields.CharField(default='', max_length=200)),
                ('address_line2', fields.CharField(default='', max_length=200)),
                ('postal_code', fields.CharField(default='', max_length=10)),
                ('city', fields.CharField(default='', max_length=100)),
                ('time_zone', fields.CharField(default='Europe/Paris', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'agency', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('password_hash', fields.CharField(max_length=200)),
                ('role', fields.CharEnumField(description='CLIENT: CLIENT\nWORKER: WORKER\nADVISOR: ADVISOR\nADMIN: ADMIN', enum_type=Role, max_length=10)),
                ('status', fields.CharEnumField(default=AccountStatus.ACTIVE, description='ACTIVE: ACTIVE\nDISABLED: DISABLED', enum_type=AccountStatus, max_length=10)),
                ('first_name', fields.CharField(max_length=100)),
                ('last_name', fields.CharField(max_length=100)),
                ('phone', fields.CharField(default='', max_length=20)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', null=True, db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.RESTRICT)),
                ('email_verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('password_changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('password_age_notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgencyPostalPrefix',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='postal_prefixes', on_delete=OnDelete.CASCADE)),
                ('prefix', fields.CharField(unique=True, max_length=5)),
            ],
            options={'table': 'agency_postal_prefix', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A postal-code prefix an agency serves. A prefix belongs to one agency only.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Client',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.OneToOneField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='client', on_delete=OnDelete.CASCADE)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='clients', on_delete=OnDelete.RESTRICT)),
                ('client_number', fields.CharField(max_length=20)),
                ('advisor', fields.ForeignKeyField('models.Account', source_field='advisor_id', null=True, db_constraint=True, to_field='id', related_name='advised_clients', on_delete=OnDelete.SET_NULL)),
                ('billing_line1', fields.CharField(max_length=200)),
                ('billing_line2', fields.CharField(default='', max_length=200)),
                ('billing_postal_code', fields.CharField(max_length=10)),
                ('billing_city', fields.CharField(max_length=100)),
                ('billing_country', fields.CharField(default='FR', max_length=2)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'client', 'app': 'models', 'unique_together': (('agency', 'client_number'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KnownDevice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='known_devices', on_delete=OnDelete.CASCADE)),
                ('device_key', fields.CharField(max_length=64)),
                ('first_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'known_device', 'app': 'models', 'unique_together': (('account', 'device_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LoginAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email_key', fields.CharField(max_length=64)),
                ('address_key', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_attempt', 'app': 'models', 'indexes': [Index(fields=['email_key', 'created_at']), Index(fields=['address_key', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A failed sign-in, counted across processes to throttle guessing.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OneTimeToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='one_time_tokens', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharEnumField(description='VERIFY_EMAIL: VERIFY_EMAIL\nRESET_PASSWORD: RESET_PASSWORD', enum_type=TokenPurpose, max_length=20)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'one_time_token', 'app': 'models', 'indexes': [Index(fields=['account_id', 'purpose', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboundEmail',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('recipient', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=200)),
                ('body_text', fields.TextField(unique=False)),
                ('kind', fields.CharField(max_length=40)),
                ('status', fields.CharEnumField(default=OutboxStatus.PENDING, description='PENDING: PENDING\nSENT: SENT\nFAILED: FAILED', enum_type=OutboxStatus, max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'outbound_email', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SecurityEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='security_events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='SIGN_UP: SIGN_UP\nEMAIL_VERIFIED: EMAIL_VERIFIED\nLOGIN_SUCCEEDED: LOGIN_SUCCEEDED\nLOGIN_FAILED: LOGIN_FAILED\nLOGIN_THROTTLED: LOGIN_THROTTLED\nNEW_DEVICE_SIGN_IN: NEW_DEVICE_SIGN_IN\nFAILED_LOGIN_BURST: FAILED_LOGIN_BURST\nLOGGED_OUT: LOGGED_OUT\nSESSION_REVOKED: SESSION_REVOKED\nPASSWORD_CHANGED: PASSWORD_CHANGED\nPASSWORD_RESET_REQUESTED: PASSWORD_RESET_REQUESTED\nPASSWORD_RESET: PASSWORD_RESET\nPASSWORD_AGE_NOTICE: PASSWORD_AGE_NOTICE\nACCOUNT_CREATED_BY_STAFF: ACCOUNT_CREATED_BY_STAFF', enum_type=SecurityEventKind, max_length=32)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('device', fields.CharField(default='', max_length=120)),
                ('network', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'security_event', 'app': 'models', 'indexes': [Index(fields=['account_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'Audit log, and what a user sees in `securityEvents`. No raw address or e-mail.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('device', fields.CharField(default='', max_length=120)),
                ('network', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'session', 'app': 'models', 'indexes': [Index(fields=['account_id', 'revoked_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Worker',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.OneToOneField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='worker', on_delete=OnDelete.CASCADE)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='workers', on_delete=OnDelete.RESTRICT)),
                ('employee_number', fields.CharField(max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'worker', 'app': 'models', 'unique_together': (('agency', 'employee_number'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
