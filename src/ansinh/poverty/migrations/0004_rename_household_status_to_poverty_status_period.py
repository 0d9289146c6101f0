"""The model of a household's official poverty class over a period is ``PovertyStatusPeriod``
(it clashed with the registry's ``HouseholdStatus`` choices)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("poverty", "0003_reviewround_report"),
    ]

    operations = [
        migrations.RenameModel(old_name="HouseholdStatus", new_name="PovertyStatusPeriod"),
    ]
