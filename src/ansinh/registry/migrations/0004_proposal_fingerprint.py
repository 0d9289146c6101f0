"""A proposal's fingerprint (household, person, kind and payload hashed) and a unique
constraint on it for pending proposals: the same change cannot wait twice.

Existing pending proposals get their fingerprint; if the same change is already waiting
twice (sent before this check existed), only the oldest gets it, the others keep an empty
one (outside the constraint) and the officer decides them as before.
"""

from __future__ import annotations

import hashlib
import json

from django.db import migrations, models


def _fingerprint(household_id, person_id, kind, payload) -> str:
    # Same as ChangeProposal.fingerprint_of at the time of writing (kept here on purpose:
    # a migration must not change when the model's code does).
    text = json.dumps(
        [household_id, person_id, kind, payload],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def fill(apps, schema_editor):
    ChangeProposal = apps.get_model("registry", "ChangeProposal")
    seen: set[str] = set()
    pending = ChangeProposal.objects.filter(status="pending").order_by("proposed_at", "id")
    for proposal in pending.iterator():
        value = _fingerprint(
            proposal.household_id, proposal.person_id, proposal.kind, proposal.payload
        )
        if value in seen:
            continue
        seen.add(value)
        ChangeProposal.objects.filter(pk=proposal.pk).update(fingerprint=value)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_drop_redundant_name_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="changeproposal",
            name="fingerprint",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=64, verbose_name="fingerprint"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="changeproposal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending"), models.Q(("fingerprint", ""), _negated=True)),
                fields=("fingerprint",),
                name="proposal_unique_pending",
            ),
        ),
    ]
