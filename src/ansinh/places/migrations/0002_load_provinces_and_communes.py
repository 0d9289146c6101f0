"""Load the 34 provinces and 3,321 communes in force since 2025-07-01 (vietnam-provinces)."""

from django.db import migrations


def load(apps, schema_editor):
    from ansinh.places.services import places_sync

    places_sync(
        province_model=apps.get_model("places", "Province"),
        commune_model=apps.get_model("places", "Commune"),
    )


def unload(apps, schema_editor):
    apps.get_model("places", "Commune").objects.all().delete()
    apps.get_model("places", "Province").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
