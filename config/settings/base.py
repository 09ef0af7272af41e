"""Every setting of Doorstroom, read from the environment with a safe default.

Each environment variable is documented in docs/configuration.md. Municipal policy (programmes,
norms, thresholds) lives in the database, not here.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Development default only; production settings refuse to start without DOORSTROOM_SECRET_KEY.
SECRET_KEY = env("DOORSTROOM_SECRET_KEY") or "insecure-development-key-only-for-local-demo-use"
DEBUG = env_bool("DOORSTROOM_DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in (env("DOORSTROOM_ALLOWED_HOSTS", "127.0.0.1,localhost") or "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "template_partials",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "doorstroom.core",
    "doorstroom.organisations",
    "doorstroom.participants",
    "doorstroom.programmes",
    "doorstroom.enrollments",
    "doorstroom.measurements",
    "doorstroom.plans",
    "doorstroom.contacts",
    "doorstroom.referrals",
    "doorstroom.signalering",
    "doorstroom.access",
    "doorstroom.web",
    "doorstroom.api",
    "doorstroom.retention",
    "doorstroom.monitoring",
    "doorstroom.imports",
    "doorstroom.research",
    "doorstroom.operations",
    "doorstroom.demo",
]

MIDDLEWARE = [
    "doorstroom.operations.middleware.RequestMetricsMiddleware",
    "doorstroom.operations.middleware.DatabaseUnavailableMiddleware",
    "doorstroom.operations.middleware.SharedCacheUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "doorstroom.web.middleware.SessionRenewalMiddleware",
    "doorstroom.web.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "doorstroom.web.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "doorstroom.access.audit.AuditContextMiddleware",
    "doorstroom.web.middleware.SecurityHeadersMiddleware",
    "doorstroom.web.middleware.SignalsKeepUpMiddleware",
]

DATABASE_ROUTERS = ["doorstroom.core.replica.ReportingReplicaRouter"]
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "doorstroom.web.context_processors.navigation",
            ],
        },
    },
]

# DATABASE_URL selects PostgreSQL in production (postgres://user:pass@host:5432/name);
# without it Doorstroom runs on an embedded SQLite file (DOORSTROOM_SQLITE_PATH).
SQLITE_PATH = env("DOORSTROOM_SQLITE_PATH") or str(BASE_DIR / "var" / "doorstroom.sqlite3")
_database_url = env("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
    # PostgreSQL's JIT compiler is for long analytical queries: the access layer's correlated EXISTS
    # clauses make the planner's cost estimates large, and compiling them took 1.2 s of a 1.24 s
    # caseload query at 5,000 participants (benchmarks/RESULTS.md, 2026-12-03). Off for this application.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # parameters bound by the server, so psycopg prepares a statement the fifth time it runs on a
    # connection and PostgreSQL can then reuse a generic plan: the participant file's joins took
    # 2-4 ms each to plan and 0.2 ms to run (ADR 0022)
    if env_bool("DOORSTROOM_SERVER_SIDE_BINDING", True):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5  # psycopg's own default; Django's is never
    # a PostgreSQL streaming replica for aggregate reports and evaluator extracts (core.replica);
    # in the test suite it mirrors the test database
    _replica_url = env("DOORSTROOM_REPLICA_URL")
    if _replica_url:
        DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=60, conn_health_checks=True)
        DATABASES["replica"]["OPTIONS"] = {"options": "-c jit=off"}
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # a full office on the embedded database: readers never wait for the writer (WAL), a
            # writer takes its lock at the start of the transaction (IMMEDIATE, so no deadlock when
            # a read turns into a write) and waits up to 30 seconds for another (busy timeout)
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
    # SQLite cannot carry the score series' covering unique index (its INCLUDE columns exist for
    # PostgreSQL's index-only reads); there `series_refresh` deletes before it inserts and
    # `check_replay` compares the series, so `make run` need not warn about it on every command
    SILENCED_SYSTEM_CHECKS = ["models.W039"]
if DATABASES["default"]["ENGINE"] not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
    raise ImproperlyConfigured("Doorstroom supports only PostgreSQL (production) and SQLite (embedded).")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisations.User"
# Two-factor login (TOTP) for every staff account. Not configurable: only the test settings switch it off.
DOORSTROOM_REQUIRE_2FA = True
# Failed logins allowed per username and per client address before a lock-out.
DOORSTROOM_LOGIN_ATTEMPTS = 5
DOORSTROOM_LOGIN_LOCKOUT_SECONDS = int(env("DOORSTROOM_LOGIN_LOCKOUT_SECONDS", "900") or 900)
# Absolute lifetime of a staff session, whatever the activity.
DOORSTROOM_SESSION_MAX_SECONDS = int(env("DOORSTROOM_SESSION_MAX_SECONDS", str(12 * 3600)) or 12 * 3600)
OTP_TOTP_ISSUER = "Doorstroom"
# Optional login through the municipality's identity provider (OpenID Connect); off unless a client
# id is set. Only existing staff accounts can log in this way (docs/configuration.md).
DOORSTROOM_OIDC_ENABLED = bool(env("DOORSTROOM_OIDC_CLIENT_ID"))
OIDC_RP_CLIENT_ID = env("DOORSTROOM_OIDC_CLIENT_ID") or ""
OIDC_RP_CLIENT_SECRET = env("DOORSTROOM_OIDC_CLIENT_SECRET") or ""
OIDC_OP_AUTHORIZATION_ENDPOINT = env("DOORSTROOM_OIDC_AUTHORIZATION_ENDPOINT") or ""
OIDC_OP_TOKEN_ENDPOINT = env("DOORSTROOM_OIDC_TOKEN_ENDPOINT") or ""
OIDC_OP_USER_ENDPOINT = env("DOORSTROOM_OIDC_USERINFO_ENDPOINT") or ""
OIDC_OP_JWKS_ENDPOINT = env("DOORSTROOM_OIDC_JWKS_ENDPOINT") or None
OIDC_RP_SIGN_ALGO = env("DOORSTROOM_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env("DOORSTROOM_OIDC_SCOPES", "openid profile email")
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/inloggen/?gemeente=mislukt"
DOORSTROOM_OIDC_USERNAME_CLAIM = env("DOORSTROOM_OIDC_USERNAME_CLAIM") or "preferred_username"
# amr/acr values that prove the provider's own multi-factor login (then no second code is asked)
DOORSTROOM_OIDC_MFA_VALUES = [v.strip() for v in (env("DOORSTROOM_OIDC_MFA_VALUES") or "mfa").split(",") if v.strip()]
AUTHENTICATION_BACKENDS = ["doorstroom.organisations.backends.AccountBackend"]
if DOORSTROOM_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("doorstroom.web.oidc.MunicipalIdentityProviderBackend")

# E-mail (the weekly signal digest): printed to the console unless a backend is configured.
EMAIL_BACKEND = env("DOORSTROOM_EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = env("DOORSTROOM_EMAIL_HOST") or "localhost"
EMAIL_PORT = int(env("DOORSTROOM_EMAIL_PORT") or "25")
EMAIL_USE_TLS = env_bool("DOORSTROOM_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env("DOORSTROOM_EMAIL_FROM") or "doorstroom@localhost"
DOORSTROOM_BASE_URL = env("DOORSTROOM_BASE_URL") or "http://127.0.0.1:8000"

LOGIN_URL = "login"
LOGIN_URL_SECOND_FACTOR = "/inloggen/code/"
LOGIN_REDIRECT_URL = "home"  # each role starts at its own work (web.views.START_PAGES)
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("Engels"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# The application serves its own static files (WhiteNoise), also with DEBUG off as in `make run`;
# in production after `collectstatic`, from STATIC_ROOT with long cache lifetimes.
WHITENOISE_USE_FINDERS = env_bool("DOORSTROOM_STATIC_FROM_APPS", True)

# REDIS_URL (redis://host:6379/0) makes Redis the shared cache of every process: the login throttle,
# the API rate limits and the duplicate-check limit then count across all workers, and sessions are
# read from Redis (and kept in the database, so they survive a Redis restart and can be ended there).
# It is also the task queue's broker. Without it (`make run`, tests) each process has its own memory.
REDIS_URL = env("REDIS_URL") or ""
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "doorstroom.core.shared_cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "doorstroom",
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "doorstroom.web.sessions.cached_db"
else:
    SESSION_ENGINE = "doorstroom.web.sessions.db"
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None  # a job's result is counts only (no personal data), kept a day
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # no broker: a task runs at once, in the caller's process
CELERY_TASK_ACKS_LATE = True  # a job whose worker dies is given to another one
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# /metrics answers a scraper on the same machine, or one that sends this token as a Bearer token.
DOORSTROOM_METRICS_TOKEN = env("DOORSTROOM_METRICS_TOKEN") or ""

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle timeout for staff sessions, in seconds (renewed by web.middleware.SessionRenewalMiddleware at
# most once a minute, not saved on every request).
SESSION_COOKIE_AGE = int(env("DOORSTROOM_SESSION_IDLE_SECONDS", "1800") or 1800)
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere (htmx's indicator styles are switched off in the base template).
DOORSTROOM_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "doorstroom.api.authentication.PersonalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "doorstroom.api.throttling.RateLimitedFirst",
        "rest_framework.permissions.IsAuthenticated",
        "doorstroom.api.permissions.SecondFactorForSessions",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON only: the documentation is the OpenAPI page; DRF's browsable pages (?format=api) answered
    # 500 on some routes and fall outside the design and the content security policy
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # no OPTIONS metadata: the OpenAPI schema describes the API (and metadata would load objects
    # outside the access door)
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_PAGINATION_CLASS": "doorstroom.api.pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "doorstroom.api.errors.exception_handler",
}

# Duplicate checks (each registration runs one) per staff member per hour.
DOORSTROOM_DUPLICATE_CHECKS_PER_HOUR = int(env("DOORSTROOM_DUPLICATE_CHECKS_PER_HOUR", "30") or 30)
# PostgreSQL's work_mem while a report reads its cohort (sorts of a large programme fit in memory)
DOORSTROOM_REPORT_WORK_MEM = env("DOORSTROOM_REPORT_WORK_MEM", "64MB") or ""
# Personal API tokens expire after this many days (a user may choose a shorter term).
DOORSTROOM_API_TOKEN_DAYS = int(env("DOORSTROOM_API_TOKEN_DAYS", "90") or 90)
# Activation and password links for new accounts stay valid this long (72 hours).
PASSWORD_RESET_TIMEOUT = 72 * 3600

# API rate limits (requests per second/minute/hour/day), per user and per address for anonymous calls.
DOORSTROOM_API_RATE_USER = env("DOORSTROOM_API_RATE_USER", "600/minute")
DOORSTROOM_API_RATE_ANON = env("DOORSTROOM_API_RATE_ANON", "30/minute")

SPECTACULAR_SETTINGS = {
    "TITLE": "Doorstroom API",
    "DESCRIPTION": (
        "Regie en monitoring van participatietrajecten. Alle antwoorden volgen het toegangsbeleid: u krijgt "
        "precies wat u ook op de pagina's ziet. Een persoonlijk token maakt u zelf op de pagina API-tokens "
        "(rechtsboven, na inloggen); stuur het mee als 'Authorization: Bearer <token>'. Een token is hoogstens "
        "90 dagen geldig en stopt als uw account wordt uitgezet of een andere rol krijgt."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "doorstroom.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EventTypeEnum": "doorstroom.enrollments.models.EventType",
        "OutcomeTypeEnum": "doorstroom.programmes.models.OutcomeType",
        "EnrollmentStateEnum": "doorstroom.enrollments.models.EnrollmentState",
        "ContactKindEnum": "doorstroom.contacts.models.ContactKind",
        "ContactStatusEnum": "doorstroom.contacts.models.ContactStatus",
    },
}

# Encryption at rest of the BSN and free-text notes: comma-separated Fernet keys, the first one encrypts.
# Empty: a key derived from the secret key (development and tests only; production requires keys).
DOORSTROOM_ENCRYPTION_KEYS = [k for k in (env("DOORSTROOM_ENCRYPTION_KEYS") or "").split(",") if k.strip()]
# Key of the blind index used to find a participant by BSN without storing the BSN in plain text.
DOORSTROOM_BLIND_INDEX_KEY = env("DOORSTROOM_BLIND_INDEX_KEY") or ""

# Key for the audit log's HMAC chain; defaults to the secret key. Keep it out of the database.
DOORSTROOM_AUDIT_KEY = env("DOORSTROOM_AUDIT_KEY") or ""
# Signed checkpoints of the audit chain, outside the database: an append-only file, or "syslog".
# Empty: none (only the test settings; `make run` keeps them in var/, production must set one).
DOORSTROOM_AUDIT_CHECKPOINTS = env("DOORSTROOM_AUDIT_CHECKPOINTS") or ""
DOORSTROOM_AUDIT_CHECKPOINT_ROWS = int(env("DOORSTROOM_AUDIT_CHECKPOINT_ROWS", "1000") or 1000)
DOORSTROOM_AUDIT_CHECKPOINT_SECONDS = int(env("DOORSTROOM_AUDIT_CHECKPOINT_SECONDS", "900") or 900)
# Lanes of the audit chain on PostgreSQL (ADR 0021): concurrent writers append to different lanes.
DOORSTROOM_AUDIT_LANES = int(env("DOORSTROOM_AUDIT_LANES", "8") or 8)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # no BSN in any log line, the server's request log included (a number in an address is removed)
    "filters": {"no_identifiers": {"()": "doorstroom.core.log_redaction.RedactIdentifiers"}},
    "formatters": {
        "server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_identifiers"]},
        "server": {"class": "logging.StreamHandler", "filters": ["no_identifiers"], "formatter": "server"},
    },
    "loggers": {
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env("DOORSTROOM_LOG_LEVEL", "WARNING")},
}
