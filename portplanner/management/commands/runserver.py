"""``runserver``, refusing DEBUG on any address but loopback (portplanner.serving)."""

from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver

from portplanner.serving import check_can_serve


class Command(StaticRunserver):
    def inner_run(self, *args, **options):
        address = f"[{self.addr}]" if self._raw_ipv6 else self.addr
        check_can_serve([f"{address}:{self.port}"])
        super().inner_run(*args, **options)
