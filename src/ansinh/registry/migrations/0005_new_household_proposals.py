"""Village heads propose new households (issue 14): a proposal's scope becomes its village.

- ``village``: added, filled from each existing proposal's household (a data migration), then
  made required; a new-household proposal has a village and no household yet.
- ``household``: nullable, but only for a new household (a check constraint).
- ``created_household``: the household an applied new-household proposal created (only then,
  and always then: a check constraint).
"""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


def fill_village(apps, schema_editor):
    """Each existing proposal is in its household's village (one UPDATE per village)."""
    ChangeProposal = apps.get_model("registry", "ChangeProposal")
    Household = apps.get_model("registry", "Household")
    villages = (
        Household.objects.filter(pk__in=ChangeProposal.objects.values("household_id"))
        .values_list("village_id", flat=True)
        .distinct()
    )
    for village_id in list(villages):
        ChangeProposal.objects.filter(
            village__isnull=True, household__village_id=village_id
        ).update(village_id=village_id)


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0003_help_texts"),
        ("registry", "0004_proposal_fingerprint"),
    ]

    operations = [
        migrations.AddField(
            model_name="changeproposal",
            name="village",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="proposals",
                to="places.village",
                verbose_name="village",
            ),
        ),
        migrations.RunPython(fill_village, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="changeproposal",
            name="village",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="proposals",
                to="places.village",
                verbose_name="village",
            ),
        ),
        migrations.AddField(
            model_name="changeproposal",
            name="created_household",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="origin_proposal",
                to="registry.household",
                verbose_name="household created",
            ),
        ),
        migrations.AlterField(
            model_name="changeproposal",
            name="household",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="proposals",
                to="registry.household",
                verbose_name="household",
            ),
        ),
        migrations.AlterField(
            model_name="changeproposal",
            name="kind",
            field=models.CharField(
                choices=[
                    ("update_household", "Change household details"),
                    ("update_person", "Change a member's details"),
                    ("add_person", "Add a member"),
                    ("record_death", "Report a death"),
                    ("record_move_out", "Report a member who moved away"),
                    ("new_household", "Register a new household"),
                ],
                max_length=20,
                verbose_name="change",
            ),
        ),
        migrations.AddConstraint(
            model_name="changeproposal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("household__isnull", True), ("kind", "new_household")),
                    models.Q(
                        models.Q(("kind", "new_household"), _negated=True),
                        ("household__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="proposal_household_unless_new",
            ),
        ),
        migrations.AddConstraint(
            model_name="changeproposal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("created_household__isnull", False),
                        ("kind", "new_household"),
                        ("status", "applied"),
                    ),
                    models.Q(
                        models.Q(("kind", "new_household"), ("status", "applied"), _negated=True),
                        ("created_household__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="proposal_created_household_when_applied",
            ),
        ),
    ]
