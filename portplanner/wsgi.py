"""WSGI entry point for Port Planner: `portplanner.wsgi:application` (gunicorn, runserver)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portplanner.settings")

application = get_wsgi_application()

from portplanner.serving import check_can_serve  # noqa: E402 -- needs the settings loaded

# Whatever starts the server, it does not serve with DEBUG off and no key or static files.
check_can_serve()
