"""The services every agency starts with (seed: ménage, repassage, vitres, grand ménage…).

Rates are euros per hour excluding VAT, in cents; VAT in basis points (10 % for
household services declared as services à la personne).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

SERVICES = [
    ("REGULAR_CLEANING", "Ménage régulier", 3000, "ENTRETIEN_MAISON"),
    ("IRONING", "Repassage", 3000, "ENTRETIEN_MAISON"),
    ("WINDOWS", "Nettoyage des vitres", 3200, "ENTRETIEN_MAISON"),
    ("INTENSIVE_CLEANING", "Ménage intensif", 3400, "ENTRETIEN_MAISON"),
    ("SPRING_CLEANING", "Grand ménage de printemps", 3600, "ENTRETIEN_MAISON"),
]

INSERT = ", ".join(
    f"('{code}', '{label}', {rate}, 1000, '{activity}', TRUE, TRUE)"
    for code, label, rate, activity in SERVICES
)


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [
        ops.RunSQL(
            "INSERT INTO service_type (code, label, hourly_rate_cents, vat_rate_bp, "
            f"sap_activity_code, tax_credit_eligible, active) VALUES {INSERT}",
            reverse_sql="DELETE FROM service_type WHERE code IN ("
            + ", ".join(f"'{code}'" for code, *_ in SERVICES)
            + ")",
        ),
    ]
