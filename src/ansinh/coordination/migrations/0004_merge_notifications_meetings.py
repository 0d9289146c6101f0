# Joins the two branches made at the same time (notifications 0002, meetings 0003); the lead
# may replace it when merging the migration graph.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0002_notifications"),
        ("coordination", "0003_meetings"),
    ]

    operations: list[migrations.operations.base.Operation] = []
