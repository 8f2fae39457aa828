"""Port Planner settings: one module, driven by a few environment variables.

DJANGO_DEBUG                 off unless 1/true/yes/on; `make run` turns it on, on 127.0.0.1
                             only (portplanner.serving refuses DEBUG on any other address)
DJANGO_SECRET_KEY            required to serve with DEBUG off: the server refuses to start
DJANGO_ALLOWED_HOSTS         comma-separated host names; default 127.0.0.1,localhost,testserver
DJANGO_CSRF_TRUSTED_ORIGINS  comma-separated, e.g. https://ports.example.com (behind a proxy)
DJANGO_HTTPS                 1 when served over HTTPS by a proxy that sets X-Forwarded-Proto:
                             secure cookies, HSTS, redirects to https
DJANGO_CONN_MAX_AGE          seconds a database connection is kept between requests (60)
DJANGO_STATIC_ROOT           where `collectstatic` puts the static files (./staticfiles)
DJANGO_REMOTE_USER_HEADER    sign-in by a proxy (SSO): the header naming the user, as a META key
                             such as HTTP_X_FORWARDED_USER
PORTPLANNER_URL              where people reach the server, for links in mail and webhooks
EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
DEFAULT_FROM_EMAIL)          SMTP for change-request mail; unset, mail goes to the console
DATABASE_URL                 any URL dj-database-url reads; default SQLite at the repo root
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    # A typo such as DJANGO_DEBUG=fasle must not silently leave debug on in production.
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, not {raw!r}.")


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _env_bool("DJANGO_DEBUG", default=False)

# The command line (`portplan check` in a CI pipeline, tests) signs nothing that outlives it and
# needs no key; serving does, so portplanner.serving refuses to serve with this one.
INSECURE_SECRET_KEY = "django-insecure-local-only-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or INSECURE_SECRET_KEY

# Sign-in by a proxy instead of passwords: the request header (as Django's META key, e.g.
# HTTP_X_FORWARDED_USER) that names the signed-in user. Users are created on first sign-in.
REMOTE_USER_HEADER = os.environ.get("DJANGO_REMOTE_USER_HEADER", "").strip()

ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

HTTPS = _env_bool("DJANGO_HTTPS", default=False)
if HTTPS:
    # TLS ends at the proxy; it says so in X-Forwarded-Proto (and must strip the header from
    # clients, as nginx's proxy_set_header does).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# /healthz and /readyz answer load balancers and probes over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# HSTS preload is a promise about the whole domain, made by its owner at hstspreload.org, not by
# one app on it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# No inline scripts or styles anywhere (htmx is told not to add its own, in base.html); pages
# are never framed. SecurityMiddleware sends nosniff and the referrer policy.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: its runserver (portplanner's refuses DEBUG beyond loopback) wins.
    "portplanner",
    "django.contrib.staticfiles",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portplanner.http.ContentSecurityPolicyMiddleware",
    # WhiteNoise docs: directly after SecurityMiddleware, before everything else.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages carry their app JSON; compressed they are a tenth of the size. Django 4.2+ pads the
    # gzip output against BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    *(["portplanner.http.ProxyRemoteUserMiddleware"] if REMOTE_USER_HEADER else []),
    "portplanner.http.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portplanner.http.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "portplanner.urls"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    *(["django.contrib.auth.backends.RemoteUserBackend"] if REMOTE_USER_HEADER else []),
    "django.contrib.auth.backends.ModelBackend",
]
WSGI_APPLICATION = "portplanner.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # A new PostgreSQL connection per request cost 15-20 ms of a 25-29 ms page.
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    ),
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite behind a web server with several workers or threads (Django 5.1+ options):
    # - BEGIN IMMEDIATE takes the write lock when a transaction starts, before it reads, so two
    #   saves cannot both read a port as free (fleet.lock_cluster relies on it; SQLite has no
    #   SELECT ... FOR UPDATE). Only writes use transactions; previews never wait on it.
    # - a writer waits up to `timeout` seconds for the lock instead of failing at once with
    #   "database is locked";
    # - WAL lets readers go on while one transaction writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
    # A file, not pytest-django's in-memory database: threads of the concurrency tests need
    # SQLite's real file locking (a shared in-memory database locks per table and never waits).
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}

elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A save waits for the cluster's lock (fleet.lock_cluster) at most this long, then answers
    # 503 "nothing was saved, try again" (http.DatabaseBusyMiddleware), like SQLite's timeout.
    DATABASES["default"]["OPTIONS"] = {
        "options": "-c lock_timeout=20s",
        **DATABASES["default"].get("OPTIONS", {}),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rendered fragments keyed by a fingerprint of what they show (a change request's map and diffs),
# so a stale entry cannot be served: each worker process keeps its own, nothing to run beside.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files need `collectstatic`; in DEBUG `{% static %}` skips the manifest.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Where the server is reached, for links in mail and webhooks (no request to take it from).
SITE_URL = os.environ.get("PORTPLANNER_URL", "http://127.0.0.1:8000")

# Mail about change requests: SMTP when EMAIL_HOST is set, else printed to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "port-planner@localhost")

# Errors and refused requests (4xx and 5xx, from django.request) go to stdout with the request
# they answered, with DEBUG off too: the process manager or container runtime keeps them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "portplanner.logs.RequestContextFilter"}},
    "formatters": {
        "line": {"format": "{asctime} {levelname} {name}: {message}{request_context}", "style": "{"}
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
            "filters": ["request"],
        }
    },
    "loggers": {
        "django.request": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
        "django.security": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
        "portplanner": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}

# Imports may paste a whole /v2/apps response (portplanner.exchange.IMPORT_MAX_BYTES is 20 MiB);
# the import view then answers with its own message rather than Django's bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 21 * 1024 * 1024
# The composer posts 16 fields per port and 2 per env row, up to 1,000 of each
# (composer.draft.MAX_ROWS), plus its own score. More is refused with the 400 page.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 18_500
