from django.core.management.base import BaseCommand

from ansinh.places.services import places_sync


class Command(BaseCommand):
    help = "Load or refresh the provinces and communes from the vietnam-provinces package."

    def handle(self, *args: object, **options: object) -> None:
        provinces, communes = places_sync()
        self.stdout.write(f"{provinces} provinces, {communes} communes")
