from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo fleet. Idempotent: `make run` calls it on every start."

    def handle(self, *args, **options):
        self.stdout.write("demo data: nothing to load yet")
