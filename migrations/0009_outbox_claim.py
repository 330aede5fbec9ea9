"""Outbox rows claimed by batch: the token of the delivery that holds each one."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_late_cancellation_lines')]

    initial = False

    operations = [
        ops.AddField(
            model_name='OutboundMessage',
            name='claim',
            field=fields.CharField(null=True, max_length=32),
        ),
    ]
