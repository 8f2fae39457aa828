"""gunicorn's settings for `make serve`: `gunicorn -c portplanner/gunicorn.conf.py`.

BIND (default 127.0.0.1:8000; a TLS proxy in front usually runs on the same host) and
WEB_CONCURRENCY (workers; default 2 per CPU core + 1, gunicorn's advice) come from the
environment."""

import multiprocessing
import os

wsgi_app = "portplanner.wsgi:application"
bind = [os.environ.get("BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
# Requests and errors to stdout, where the process manager keeps them.
accesslog = "-"
errorlog = "-"
# The proxy in front is trusted for X-Forwarded-* (gunicorn's own check); Django reads the
# protocol from it only with DJANGO_HTTPS=1.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# A preview takes milliseconds and an import of 20 MiB some seconds; a worker stuck longer is
# killed and replaced.
timeout = 60


def on_starting(server):
    """Refuse to start (rather than answer 500s) when serving is unsafe or cannot work."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portplanner.settings")
    django.setup()
    from portplanner.serving import check_can_serve

    check_can_serve([str(address) for address in server.cfg.bind])
