"""ASGI entry point for Port Planner: `portplanner.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portplanner.settings")

application = get_asgi_application()

from portplanner.serving import check_can_serve  # noqa: E402 -- needs the settings loaded

check_can_serve()
