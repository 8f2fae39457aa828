"""WSGI entry point for Port Planner: `portplanner.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portplanner.settings")

application = get_wsgi_application()
