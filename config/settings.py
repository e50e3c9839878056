"""Settings for every environment, read from the environment in this one place.

Nothing set gives the embedded default a new developer needs: a SQLite file, Celery
tasks run eagerly in-process, email printed to the console and a local-memory cache.
Setting DATABASE_URL, REDIS_URL and EMAIL_URL switches to the real services (CI runs
the whole suite that way). DJANGO_ENV=production turns on every deploy hardening and
requires a real secret key. A malformed value stops start-up with a message naming it.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in ("development", "test", "production"):
    raise ImproperlyConfigured(f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}")
IS_PRODUCTION = DJANGO_ENV == "production"


def _url_setting(name: str, parse: Any, default: str | None) -> Any:
    """Parse a URL-valued variable, failing with the variable's name when it is malformed."""
    raw = env.str(name, default=default)
    if raw is None:
        return None
    try:
        parsed = parse(raw)
    except Exception as exc:  # django-environ raises several types for bad URLs
        raise ImproperlyConfigured(f"{name} is not a valid URL ({exc})") from exc
    if not parsed:
        raise ImproperlyConfigured(f"{name} is not a valid URL: {raw!r}")
    return parsed


def _origins(name: str) -> list[str]:
    """A comma-separated list of browser origins (scheme and host, no path), each checked."""
    origins = env.list(name, default=[])
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query or parts.fragment:
            raise ImproperlyConfigured(
                f"{name} takes origins such as https://app.example.org (scheme and host, no path), not {origin!r}"
            )
    return origins


def _count(name: str, default: int) -> int:
    raw = env.str(name, default=str(default))
    if not raw.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number of 0 or more, not {raw!r}")
    return int(raw)


def _rate(name: str, default: str) -> str:
    """A throttle rate such as 30/min, checked now rather than at the first throttled request."""
    raw = env.str(name, default=default)
    number, _, period = raw.partition("/")
    if not number.isdigit() or period[:1] not in ("s", "m", "h", "d"):
        raise ImproperlyConfigured(f"{name} must be a rate such as 30/min or 10/hour, not {raw!r}")
    return raw


def _redis_url(name: str) -> str | None:
    raw = env.str(name, default=None)
    if raw is not None and not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name} must start with redis://, rediss:// or unix://, got {raw!r}")
    return raw


# --- Core --------------------------------------------------------------------------------

if IS_PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters with at least 5 distinct ones")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production-0123456789")

DEBUG = env.bool("DJANGO_DEBUG", default=DJANGO_ENV == "development")
if IS_PRODUCTION and DEBUG:
    # Debug pages show settings, tracebacks and request data (health data) to anyone.
    raise ImproperlyConfigured("DJANGO_DEBUG must not be true with DJANGO_ENV=production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["*"])
# The public address of the service, used in emails and share links.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Where a link in an email opens the phone app (a universal link or custom scheme).
APP_BASE_URL = env.str("APP_BASE_URL", default="twitchlog://open").rstrip("/")
# The https address email buttons use, so they open on any device and in webmail; by default
# this service's own /open/ pages, which hand over to the app (APP_BASE_URL) on a phone.
APP_WEB_URL = env.str("APP_WEB_URL", default=f"{PUBLIC_BASE_URL}/open").rstrip("/")

INSTALLED_APPS = [
    "accounts.admin_site.TwitchlogAdminConfig",  # django.contrib.admin with a throttled login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "accounts",
    "diary",
    "insights",
    "insights.summaries",
    "insights.reports",
    "insights.experiments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # An oversized /api/ body is refused (413, as JSON) before anything reads it.
    "config.body_limit.BodyLimitMiddleware",
    "config.security_headers.SecurityHeadersMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Outside CommonMiddleware, so a missing trailing slash is redirected before a 404 is judged.
    "config.api_errors.ApiNotFoundMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last: it turns a locked-out admin login into its lock-out response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Where the admin lives; config.urls mounts it here and its pages get the admin's CSP.
ADMIN_URL = "admin/"
# A sync push may be up to 5 MB (refused with 413 above that by the sync view), so
# Django's own limit sits just above it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
WSGI_APPLICATION = "config.wsgi.application"

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

# --- Database ----------------------------------------------------------------------------

if not env.str("DATABASE_URL", default=None):
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": _url_setting("DATABASE_URL", env.db_url_config, f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery --------------------------------------------------------------------

REDIS_URL = _redis_url("REDIS_URL")
_test_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if DJANGO_ENV == "test" and REDIS_URL and _test_worker.startswith("gw"):
    # Parallel test processes each get their own Redis database (base + 1, base + 2, ...)
    # for the cache and the broker, so one process clearing its cache or draining its
    # queues between tests never disturbs another. A second suite running beside this one
    # picks another base database in REDIS_URL.
    _redis_server, _, _redis_db = REDIS_URL.rpartition("/")
    REDIS_URL = f"{_redis_server}/{int(_redis_db or 0) + int(_test_worker[2:]) + 1}"

if REDIS_URL:
    # Django's Redis cache, with one redis-py client per pool rather than one per call.
    CACHES = {"default": {"BACKEND": "config.redis_cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "twitchlog"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
# With no broker configured the embedded default runs every task in-process, at once.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only once it finished, and a worker that dies mid-task hands it
# back to the broker, so a crash never loses a recompute or a send; tasks are idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# Redis redelivers an unacknowledged task after this; it must exceed the hard time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TASK_DEFAULT_QUEUE = "insights"
CELERY_TASK_ROUTES = {
    "insights.*": {"queue": "insights"},
    "email.*": {"queue": "email"},
    "reports.*": {"queue": "reports"},
}
# The database scheduler, touching a liveness file for the container health check (config/beat.py).
CELERY_BEAT_SCHEDULER = "config.beat:LivenessDatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "insights-nightly-sweep": {"task": "insights.nightly_sweep", "schedule": crontab(hour=3, minute=0)},
    "reports-expire-old": {"task": "reports.expire_old_reports", "schedule": crontab(hour=4, minute=30)},
    # Hourly: whoever's local time is now Monday 08:00 or later and has not had this week's summary.
    "summaries-dispatch-weekly": {"task": "email.dispatch_weekly", "schedule": crontab(minute=5)},
    # Hourly: whoever's experiment ended yesterday in their timezone gets its result computed.
    "experiments-sweep": {"task": "insights.experiments_sweep", "schedule": crontab(minute=20)},
}
CELERY_TIMEZONE = "UTC"

# --- Email -------------------------------------------------------------------------------

_email = _url_setting("EMAIL_URL", env.email_url_config, "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Twitchlog <no-reply@twitchlog.example>")

# --- Auth and security -------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
if DJANGO_ENV == "test":
    # Argon2 is slow on purpose, and the suite signs users up and in hundreds of times: MD5 cuts
    # that cost to nothing. Only DJANGO_ENV=test selects it (pytest sets it through tests/settings.py);
    # tests/config/test_platform.py proves production hashes with Argon2 alone.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
else:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
# Length, common passwords and similarity to the email or name; no composition rules (NIST SP 800-63B).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.password_rules.NotOnlyWhitespaceValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
# How long the link that confirms an email address works.
EMAIL_CONFIRM_TIMEOUT = 60 * 60 * 24 * 7

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The key of the credentials passed to authenticate(), and the admin login form's field.
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# The API refuses a locked-out login with its own error shape; axes only records and decides.
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The lock-out counts by the same client address as the throttles (see NUM_PROXIES).
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("TOKEN_TTL_DAYS", default=30)),
    # A device that keeps using its token keeps it alive; an idle one expires.
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=365),
    "MIN_REFRESH_INTERVAL": 60 * 60,
    "AUTH_HEADER_PREFIX": "Token",
}
KNOX_TOKEN_MODEL = "accounts.DeviceToken"
# knox's own migrations would create its default token table even though DeviceToken
# replaces it; an orphan table with a foreign key to users breaks test database flushes.
MIGRATION_MODULES = {"knox": None}

# The phone app is not a browser and needs no CORS, so by default no origin may call the API
# from a browser. A future web client's origin goes in CORS_ALLOWED_ORIGINS; it only ever
# opens /api/, never the share pages, the admin or the unsubscribe pages.
CORS_ALLOWED_ORIGINS = _origins("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"

# How many proxies (load balancer, ingress) in front of the web processes append to
# X-Forwarded-For. 0 believes no header: REMOTE_ADDR is the client. With N, the N-th
# address from the right is the client's; whatever stands left of it the client may have
# forged. Throttles, the login lock-out and the share access log all read it
# (config.client_ip).
NUM_PROXIES = _count("NUM_PROXIES", 0)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- API ---------------------------------------------------------------------------------

THROTTLE_RATES = {
    "anon": _rate("THROTTLE_ANON", "120/min"),
    "user": _rate("THROTTLE_USER", "1200/min"),
    "login_ip": _rate("THROTTLE_LOGIN_IP", "30/min"),
    "login_account": _rate("THROTTLE_LOGIN_ACCOUNT", "10/min"),
    "register_ip": _rate("THROTTLE_REGISTER_IP", "10/hour"),
    "reset_ip": _rate("THROTTLE_RESET_IP", "10/hour"),
    "reset_account": _rate("THROTTLE_RESET_ACCOUNT", "3/hour"),
    "share_public": _rate("THROTTLE_SHARE_PUBLIC", "30/min"),
    "unsubscribe": _rate("THROTTLE_UNSUBSCRIBE", "30/min"),
    "admin_login": _rate("THROTTLE_ADMIN_LOGIN", "20/min"),
    # Building a report PDF (in the request up to 90 days, by a job beyond), per account.
    "report_build": _rate("THROTTLE_REPORT_BUILD", "30/hour"),
}

_RENDERER_CLASSES = ["rest_framework.renderers.JSONRenderer"]
if DEBUG:
    _RENDERER_CLASSES.append("rest_framework.renderers.BrowsableAPIRenderer")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.auth.DeviceTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": _RENDERER_CLASSES,
    "DEFAULT_PARSER_CLASSES": ["config.parsers.UnicodeJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.negotiation.ContentNegotiation",
    "DEFAULT_THROTTLE_CLASSES": [
        "config.rate_throttles.AnonRateThrottle",
        "config.rate_throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_PAGINATION_CLASS": "config.pagination.DiaryCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.schema.ErrorDocumentingAutoSchema",
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Twitchlog API",
    "DESCRIPTION": (
        "The phone app's API for a finger-twitching symptom diary: accounts, the diary with "
        "WatermelonDB-compatible sync, insights and doctor-visit flags, weekly summaries and "
        'physician reports. Every error has the shape {"error": {"code", "message", "fields"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No online validator badge: it would send the schema's address to swagger.io, and the
    # docs page's CSP blocks images from elsewhere anyway.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    # The token scheme (knoxApiToken) comes from drf-spectacular's knox extension; declaring
    # another here would add a scheme no operation uses.
}

# --- Static files, i18n, logging ---------------------------------------------------------

STATIC_URL = "static/"
# Where collectstatic writes (the Docker image runs it at build time); whitenoise serves it. In
# production the manifest storage needs it: without collected files every admin page is a 500.
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# Health-store import (diary.health). Our own app's ids in HealthKit and Health Connect, and its
# name in Apple Health's export: what it wrote to the store is never imported back. Uploaded
# exports wait in HEALTH_IMPORT_DIR until the worker has read them (web and worker share it).
HEALTH_IMPORT_OWN_SOURCES = ("org.twitchlog.app", "Twitchlog")
HEALTH_IMPORT_DIR = env.path("HEALTH_IMPORT_DIR", default=str(VAR_DIR / "health-imports"))
# An export upload's ceiling: Apple Health's export.zip runs to hundreds of MB for years of data.
HEALTH_EXPORT_MAX_BYTES = env.int("HEALTH_EXPORT_MAX_BYTES", default=2 * 1024**3)
# Routes whose bodies may exceed DATA_UPLOAD_MAX_MEMORY_SIZE (config.body_limit); multipart file
# parts stream to disk, so only the declared length is checked here.
BODY_LIMIT_BY_PATH = {"/api/v1/health/exports/": HEALTH_EXPORT_MAX_BYTES}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every handler carries the redaction filter: link tokens and exception messages (which
    # may quote health data) never reach a log line. A handler added here must carry it too.
    "filters": {"redact": {"()": "config.log_redaction.RedactHealthData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own defaults attach a mail_admins handler (which mails request data) and
        # a second console to "django"; everything goes through the root's console instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Request logs carry paths and statuses only; bodies (health data) are never logged.
        "django.request": {"level": "WARNING"},
        # SQL parameters are diary rows: never logged, even with LOG_LEVEL=DEBUG and DEBUG on.
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": "INFO"},
    },
}
