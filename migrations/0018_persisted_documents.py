"""Persisted documents (sent by their SHA-256) and cost buckets shared by every process."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0017_webhooks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CostBucket',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=80)),
                ('tokens', fields.FloatField()),
                ('updated_at', fields.FloatField()),
            ],
            options={'table': 'cost_bucket', 'app': 'models', 'pk_attr': 'key', 'table_description': "One caller's bucket of query cost points, when Redis is not configured."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersistedDocument',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sha256', fields.CharField(unique=True, max_length=64)),
                ('body', fields.TextField(unique=False)),
                ('source', fields.CharField(max_length=10)),
                ('registered_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'persisted_document', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
