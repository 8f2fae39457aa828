from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from portplanner.accounts.demo import make_demo_accounts
from portplanner.fleet.deploy import deploy_group
from portplanner.history.record import Actor
from portplanner.marathon import read_apps
from portplanner.models import Cluster

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = (
        "Load the demo fleet into the cluster 'demo' and make its demo accounts (one per role), "
        "printing their passwords once. Idempotent: `make run` calls it each start."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-passwords",
            action="store_true",
            help="give the demo accounts new passwords and print them",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        cluster, created = Cluster.objects.get_or_create(
            name="demo", defaults={"description": "Demo fleet: a small shop with a few mistakes"}
        )
        if created:
            count = 0
            by = Actor(None, "demo data")
            for path in sorted(DEMO_DIR.glob("*.json")):
                apps, _ = read_apps(path.read_bytes(), str(path))
                count += len(deploy_group(cluster, [sourced.app for sourced in apps], by=by))
            self.stdout.write(f"demo data: loaded {count} apps into cluster 'demo'")
        else:
            self.stdout.write("demo data: cluster 'demo' exists, left as it is")
        made = make_demo_accounts(cluster, new_passwords=options["new_passwords"])
        if made:
            self.stdout.write(
                self.style.WARNING("Demo accounts (shown this once; sign in at /accounts/login/):")
            )
            for name, password in made:
                self.stdout.write(f"  {name:<14} {password}")
        else:
            self.stdout.write(
                "demo accounts: demo-owner, demo-reviewer, demo-editor, demo-viewer (passwords "
                "printed when made; `manage.py seed_demo --new-passwords` prints new ones)"
            )
