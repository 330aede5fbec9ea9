"""Invoice lines for billable late cancellations (charged, not eligible for the tax credit)."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_billing')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InvoiceLine',
            name='late_cancellation',
            field=fields.BooleanField(default=False),
        ),
    ]
