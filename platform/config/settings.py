"""Thongthin settings: one module, read from the environment, safe defaults for development.

Production refuses to start with the development secret key (see the check at the bottom).
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .tenancy import SHARED_APPS, TENANT_APPS

BASE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("THONGTHIN_DATA_DIR", BASE_DIR / ".data"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", default=False)
# Under pytest (or THONGTHIN_TESTING=1): fast hashing, no DB pool, a private Celery queue.
TESTING = env_bool("THONGTHIN_TESTING", default="pytest" in sys.modules)

# Every town is a subdomain of PLATFORM_DOMAIN; the platform console is served on the bare domain
# (and on the extra hosts listed in PLATFORM_HOSTS). Unknown hosts get the "no such town" page.
PLATFORM_DOMAIN = os.environ.get("PLATFORM_DOMAIN", "localhost")
PLATFORM_HOSTS = [PLATFORM_DOMAIN, f"www.{PLATFORM_DOMAIN}", *env_list("PLATFORM_HOSTS", "127.0.0.1")]
# Towns may bring custom domains, so the host check happens in the tenant middleware, which only
# serves hosts it knows. Django still rejects syntactically invalid Host headers with a 400.
ALLOWED_HOSTS = ["*"]

# --- Applications -------------------------------------------------------------------------------
INSTALLED_APPS = list(dict.fromkeys([*SHARED_APPS, *TENANT_APPS]))
TENANT_MODEL = "tenants.Municipality"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_town"
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "services.common.client_ip.ClientAddressMiddleware",
    "services.common.request_guard.RequestGuardMiddleware",
    "tenants.middleware.TownRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "services.common.language.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tenants.context_processors.town",
            ],
            "builtins": ["services.common.templatetags.thai"],
        },
    }
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"


# --- Database -----------------------------------------------------------------------------------
def database_from_url(url: str) -> dict:
    """Parse a postgres:// URL (host may be a socket directory given as ?host=/path)."""
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL")
    query = parse_qs(parts.query)
    return {
        # django-tenants' backend + transaction pooling + a schema budget per connection.
        "ENGINE": "tenants.postgresql_backend",
        "NAME": unquote(parts.path.lstrip("/")) or "thongthin",
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.get("host", [parts.hostname or ""])[0],
        "PORT": str(parts.port or ""),
    }


DATABASE_URL = os.environ.get("DATABASE_URL")
if not DATABASE_URL:
    from .embedded_db import database_url

    DATABASE_URL = database_url()
    os.environ["DATABASE_URL"] = DATABASE_URL  # child processes (worker, beat) join the same server

DATABASES = {"default": database_from_url(DATABASE_URL)}
DATABASES["default"]["OPTIONS"] = {
    # psycopg 3's pool: short-lived connections keep the per-connection catalog cache small when
    # one process wanders across thousands of town schemas (see docs/architecture.md, Scale).
    "pool": {
        "min_size": int(os.environ.get("DB_POOL_MIN", "1")),
        "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
        "max_lifetime": float(os.environ.get("DB_POOL_MAX_LIFETIME", "600")),
        "timeout": 10,
    }
}
if TESTING or env_bool("DB_POOL_OFF"):
    # Test databases are created and dropped by the runner; a pool would hold them open.
    DATABASES["default"]["OPTIONS"] = {}
# Behind PgBouncer in transaction mode (DB_TRANSACTION_POOLING=1): every statement carries its own
# search_path, no session state (tenants/postgresql_backend/base.py; docs/operations.md).
DATABASES["default"]["TRANSACTION_POOLING"] = env_bool("DB_TRANSACTION_POOLING")
# A connection that has served more town schemas than this is closed after its request or task:
# each schema touched costs its PostgreSQL backend ~0.13 MB of catalog cache (docs/benchmarks.md,
# the whole country). 0 = no budget (connections then live max_lifetime).
DATABASES["default"]["MAX_SCHEMAS_PER_CONNECTION"] = int(os.environ.get("DB_MAX_SCHEMAS_PER_CONNECTION", "100"))
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Issue `SET search_path` once per schema switch instead of before every query. Safe here: the
# routing middleware switches schema (which clears the flag) on every request, and django-tenants
# clears it on close, rollback and savepoint rollback.
TENANT_LIMIT_SET_CALLS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (keys carry the schema name: tenancy rule 3) ------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL and TESTING and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # Parallel test processes each get their own Redis database (tests clear the cache, and a
    # clear is a FLUSHDB); processes a test starts (Celery worker, web server) inherit the variable.
    _worker = int(os.environ["PYTEST_XDIST_WORKER"][2:] or 0)
    _base, _slash, _db = REDIS_URL.rpartition("/")
    if _db.isdigit():
        REDIS_URL = f"{_base}/{(int(_db) + 1 + _worker) % 16}"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }
elif TESTING:
    # One test process each: a private in-memory cache, so parallel test workers never share keys.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }
else:
    # No cache server (a newcomer's `make run`): files under .data, shared by every process on the
    # machine. A per-process memory cache would give each web worker its own copy of cached
    # sessions (a tracking grant made in one worker missing in another), its own rate-limit counts
    # and a town-map generation counter the Celery worker never sees.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }
# Seconds a process trusts its host→town map before re-checking the shared generation counter.
TENANT_CACHE_CHECK_SECONDS = float(os.environ.get("TENANT_CACHE_CHECK_SECONDS", "2"))

# --- Accounts -----------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests that check hashing ask for it explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Login throttling (django-axes): 5 failures per username+IP lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# One client address for every limiter (services/common/client_ip.py): axes, DRF, rate limits.
AXES_CLIENT_IP_CALLABLE = "services.common.client_ip.axes_client_ip"
AXES_VERBOSE = False

# Cookies are host-only (no Domain attribute): a Bang Sare cookie is never sent to another town.
SESSION_COOKIE_DOMAIN = None
# Sessions are rows in the schema of the host; the cache in front carries the schema in its keys.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG and not TESTING and SECRET_KEY != DEVELOPMENT_SECRET_KEY)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The proxies in front of Django whose X-Forwarded-For is believed (addresses or networks,
# comma-separated); empty: none, the TCP peer is the client. infra/compose.yaml sets nginx's network.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("THONGTHIN_TRUSTED_PROXIES", "").split(",") if p.strip()]
# Networks services/common/safe_fetch.py may reach although not public (Open311 media_url): none in
# production; tests add loopback for their local server.
FETCH_ALLOWED_NETWORKS: list[str] = []
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Email --------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if not os.environ.get("EMAIL_HOST") else
    "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"no-reply@{PLATFORM_DOMAIN}")

# --- Messages to citizens (services/common/notify) ----------------------------------------------
# `file` (the default) writes SMS and LINE messages under DATA_DIR/outbox/ and sends nothing, so
# `make run` needs no account. A town may override the SMS provider and credentials on its
# messaging page (sealed in its own schema); these are the platform's defaults.
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "file").strip().lower()
SMS_FAILOVER_PROVIDER = os.environ.get("SMS_FAILOVER_PROVIDER", "").strip().lower()
SMS_FAILOVER_AFTER = int(os.environ.get("SMS_FAILOVER_AFTER", "2"))  # failed attempts before the second provider
SMS_MAX_PARTS = int(os.environ.get("SMS_MAX_PARTS", "6"))  # longer messages are refused, not cut
SMS_PRICE_PER_PART = os.environ.get("SMS_PRICE_PER_PART", "0.35")  # baht, for the credit report
SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "10"))
THAIBULKSMS_URL = os.environ.get("THAIBULKSMS_URL", "https://api-v2.thaibulksms.com").rstrip("/")
THAIBULKSMS_API_KEY = os.environ.get("THAIBULKSMS_API_KEY", "")
THAIBULKSMS_API_SECRET = os.environ.get("THAIBULKSMS_API_SECRET", "")
THAIBULKSMS_SENDER = os.environ.get("THAIBULKSMS_SENDER", "")
THAIBULKSMS_FORCE = os.environ.get("THAIBULKSMS_FORCE", "corporate")
TWILIO_URL = os.environ.get("TWILIO_URL", "https://api.twilio.com").rstrip("/")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = os.environ.get("TWILIO_FROM", "")
LINE_PROVIDER = os.environ.get("LINE_PROVIDER", "file").strip().lower()  # file | line
LINE_API_URL = os.environ.get("LINE_API_URL", "https://api.line.me").rstrip("/")
LINE_DATA_API_URL = os.environ.get("LINE_DATA_API_URL", "https://api-data.line.me").rstrip("/")
# Escape hatch kept from before: a dotted path to any adapter class replaces the channel's adapter.
NOTIFY_SMS_ADAPTER = os.environ.get("NOTIFY_SMS_ADAPTER", "")
NOTIFY_LINE_ADAPTER = os.environ.get("NOTIFY_LINE_ADAPTER", "")
NOTIFY_EMAIL_ADAPTER = os.environ.get("NOTIFY_EMAIL_ADAPTER", "")
# A message still unsent this long after it was written is never sent: it expires (a tracking code
# or a bill link two days late confuses more than it tells). Hours.
OUTBOX_MAX_AGE_HOURS = float(os.environ.get("OUTBOX_MAX_AGE_HOURS", "48"))

# --- Locale -------------------------------------------------------------------------------------
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("ไทย")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files and uploads -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "platform" / "static"]
MEDIA_ROOT = DATA_DIR / "media"
# Uploads are private: nothing serves MEDIA_ROOT directly; files go out through the
# permission-checked view in services.common.files. Each town's files sit under its schema name.
MEDIA_URL = "/media-not-served/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
FILE_STORAGE = os.environ.get("FILE_STORAGE", "local")  # "local" or "s3"
STORAGES = {
    "default": {"BACKEND": "services.common.files.storage.TownFileStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG and not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if FILE_STORAGE == "s3":
    AWS_STORAGE_BUCKET_NAME = os.environ.get("S3_BUCKET", "thongthin")
    AWS_S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL")
    AWS_S3_REGION_NAME = os.environ.get("S3_REGION", "ap-southeast-1")
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    STORAGES["default"] = {"BACKEND": "services.common.files.storage.TownS3Storage"}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.tokens.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.bilingual_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
    # REMOTE_ADDR is already the client (services/common/client_ip.py); never the raw header.
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Thongthin API",
    "DESCRIPTION": "ท้องถิ่นดิจิทัล — public services of a Thai local government body",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several services have a "status" or "kind"; name their choice sets so the schema is stable.
    "ENUM_NAME_OVERRIDES": {
        "ComplaintStatusEnum": "services.complaints.workflow.ComplaintStatus",
        "LetterKindEnum": "services.correspondence.models.LetterKind",
    },
}

# --- Celery -------------------------------------------------------------------------------------
# Without CELERY_BROKER_URL the broker is kombu's filesystem transport: messages are files under
# .data/broker/, so the worker and beat still run as separate processes with no server to install.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Broadcast/pidbox tables; kombu's default is ./control in the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
# Each test process gets a queue of its own, so parallel test runs never consume each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get(
    "CELERY_TASK_DEFAULT_QUEUE", f"test-{uuid.uuid4().hex[:12]}" if TESTING else "celery"
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django.db.backends": {"level": "WARNING"},
                "pgserver": {"level": "WARNING"}},
}

# --- Production guard ---------------------------------------------------------------------------
PRODUCTION = env_bool("DJANGO_PRODUCTION")
if PRODUCTION and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
# Stored secrets (provider credentials, signing keys) are sealed with their own keys, never with
# SECRET_KEY (services/common/secret_box.py): comma-separated Fernet keys, newest first.
if PRODUCTION and not os.environ.get("THONGTHIN_DATA_KEYS", "").strip():
    raise ImproperlyConfigured("THONGTHIN_DATA_KEYS must be set in production (see docs/operations.md)")

# Development and tests serve static files straight from the apps (production runs collectstatic).
WHITENOISE_USE_FINDERS = not env_bool("DJANGO_PRODUCTION")
WHITENOISE_AUTOREFRESH = DEBUG
