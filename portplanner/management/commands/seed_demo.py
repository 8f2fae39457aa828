from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from portplanner.fleet.deploy import deploy_group
from portplanner.marathon import read_apps
from portplanner.models import Cluster

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = (
        "Load the demo fleet into the cluster 'demo'. Idempotent: `make run` calls it each start."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        cluster, created = Cluster.objects.get_or_create(
            name="demo", defaults={"description": "Demo fleet: a small shop with a few mistakes"}
        )
        if not created:
            self.stdout.write("demo data: cluster 'demo' exists, left as it is")
            return
        count = 0
        for path in sorted(DEMO_DIR.glob("*.json")):
            apps, _ = read_apps(path.read_bytes(), str(path))
            count += len(deploy_group(cluster, [sourced.app for sourced in apps]))
        self.stdout.write(f"demo data: loaded {count} apps into cluster 'demo'")
