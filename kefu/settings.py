"""Kefu settings: one module, configured by environment variables.

Every variable is listed in README.md ("Configuration"). Secrets may also be given as a
file path in ``<NAME>_FILE`` (as container secrets are mounted).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    """Read NAME from the environment, or the contents of the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value not in (None, "") else default


DEBUG = env_bool("KEFU_DEBUG", False)
DATA_DIR = Path(env("KEFU_DATA_DIR") or Path.cwd() / "var")

# Development keys are public: the production system check (core/checks.py) refuses them.
DEV_SECRET_KEY = "kefu-development-only-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("KEFU_SECRET_KEY") or DEV_SECRET_KEY

ALLOWED_HOSTS = [h.strip() for h in (env("KEFU_ALLOWED_HOSTS") or "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in (env("KEFU_CSRF_TRUSTED_ORIGINS") or "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "kefu.core",
    "kefu.customers",
    "kefu.callbacks",
    "kefu.ivr",
    "kefu.tickets",
    "kefu.knowledge",
]

# Django's middleware, subclassed so that under ASGI their hooks run in the event loop
# instead of a thread each (kefu/core/middleware.py); same behaviour otherwise.
MIDDLEWARE = [
    "kefu.core.middleware.SecurityMiddleware",
    "kefu.core.middleware.StaticFilesMiddleware",  # WhiteNoise, sync and async
    "kefu.core.middleware.ConfigSnapshotMiddleware",
    "kefu.core.middleware.SessionMiddleware",
    "kefu.core.middleware.ChineseFirstLocaleMiddleware",
    "kefu.core.middleware.CommonMiddleware",
    "kefu.core.middleware.CsrfViewMiddleware",
    "kefu.core.middleware.AuthenticationMiddleware",
    "kefu.core.middleware.MessageMiddleware",
    "kefu.core.middleware.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kefu.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "kefu.urls"
ASGI_APPLICATION = "kefu.asgi.application"
WSGI_APPLICATION = "kefu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kefu.core.context_processors.kefu",
            ],
        },
    },
]

# Database: SQLite (WAL) by default, anything dj-database-url understands otherwise.
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kefu.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            ),
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool of connections per process (psycopg_pool): a request takes one and gives it
    # back at its end, instead of starting a new PostgreSQL backend (and its password
    # exchange) for every request and every hotline step. KEFU_DB_POOL_MAX bounds each
    # process (processes × max must stay under PostgreSQL's max_connections); 0 turns the
    # pool off.
    _pool_max = env_int("KEFU_DB_POOL_MAX", 20)
    if _pool_max > 0:
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": min(2, _pool_max),
            "max_size": _pool_max,
            # A request waits this long for a free connection, then fails with an error.
            "timeout": env_int("KEFU_DB_POOL_TIMEOUT", 10),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["kefu.core.auth.PermissionBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# SEC-1: lockout after repeated failures; idle session expiry.
KEFU_LOGIN_MAX_FAILURES = env_int("KEFU_LOGIN_MAX_FAILURES", 5)
KEFU_LOGIN_LOCK_MINUTES = env_int("KEFU_LOGIN_LOCK_MINUTES", 15)
# The issuer name authenticator apps show for the optional second factor (SEC-1).
KEFU_TOTP_ISSUER = env("KEFU_TOTP_ISSUER") or "Kefu"
SESSION_COOKIE_AGE = env_int("KEFU_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("KEFU_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# SEC-3: encryption of C2 data and keyed hashes for exact look-up. Comma-separated
# url-safe base64 32-byte keys; the first encrypts, all decrypt (key rotation).
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHkta2VmdS1lbmNyeXB0aW9uLWtleS0wMDE="  # noqa: S105
DEV_LOOKUP_KEY = "ZGV2LW9ubHkta2VmdS1sb29rdXAtaGFzaC1rZXktMDAx"  # noqa: S105
KEFU_ENCRYPTION_KEYS = [
    k.strip() for k in (env("KEFU_ENCRYPTION_KEYS") or DEV_ENCRYPTION_KEY).split(",") if k.strip()
]
KEFU_LOOKUP_KEY = env("KEFU_LOOKUP_KEY") or DEV_LOOKUP_KEY
# Slow hash cost for card query/transaction passwords and one-time codes (argon2id over an
# HMAC pepper). Default: OWASP's recommended argon2id configuration (19 MiB, 2 passes, one
# lane), about 20 ms a check, so the hotline can verify callers at call-centre rates; the
# pepper, not this cost, is what protects a stolen database (docs/decisions/0003-ivr.md).
# Hashes made with other values still verify and are re-hashed on the next good check.
KEFU_CARD_PASSWORD_TIME_COST = env_int("KEFU_CARD_PASSWORD_TIME_COST", 2)
KEFU_CARD_PASSWORD_MEMORY_KIB = env_int("KEFU_CARD_PASSWORD_MEMORY_KIB", 19456)

KEFU_INSTITUTION_NAME = env("KEFU_INSTITUTION_NAME") or ""
# REG-1: whose complaint time limits apply (bank, insurer or securities; check tickets.E001)
KEFU_INSTITUTION_TYPE = env("KEFU_INSTITUTION_TYPE") or "bank"
KEFU_CALENDAR_WARN_FROM_MONTH_DAY = (12, 1)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the apps' static folders: no collectstatic step is needed to start.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TASKS = {
    "default": {
        "BACKEND": env("KEFU_TASKS_BACKEND") or "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = env("KEFU_EMAIL_BACKEND") or "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("KEFU_EMAIL_HOST") or "127.0.0.1"
EMAIL_PORT = env_int("KEFU_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env("KEFU_EMAIL_FROM") or "kefu@localhost"
# CH-3: the class that sends SMS (kefu.core.sms); the default only logs, without secrets.
KEFU_SMS_SENDER = env("KEFU_SMS_SENDER") or "kefu.core.sms.LoggingSmsSender"

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "kefu.core.logging.MaskPersonalDataFilter"}},
    "formatters": {
        "plain": {
            "()": "kefu.core.logging.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_pii"],
        },
    },
    "root": {"handlers": ["console"], "level": env("KEFU_LOG_LEVEL") or "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# Labels shown in the page header; translated per request.
KEFU_PRODUCT_NAME = _("Kefu customer service")

# IVR (kefu.ivr): flow files, query-password lockout, cash-advance fee, payment codes.
KEFU_IVR_FLOWS_DIR = env("KEFU_IVR_FLOWS_DIR") or str(BASE_DIR / "ivr" / "flows")
KEFU_IVR_PASSWORD_MAX_FAILURES = env_int("KEFU_IVR_PASSWORD_MAX_FAILURES", 3)
KEFU_IVR_CASH_ADVANCE_FEE_RATE = env("KEFU_IVR_CASH_ADVANCE_FEE_RATE") or "0.01"
KEFU_IVR_CASH_ADVANCE_FEE_MIN = env("KEFU_IVR_CASH_ADVANCE_FEE_MIN") or "10.00"
KEFU_IVR_PAYMENT_CODE_MINUTES = env_int("KEFU_IVR_PAYMENT_CODE_MINUTES", 5)
# Run each IVR API step in a thread of its own (a password check does not hold up other calls).
KEFU_IVR_API_THREADS = env_bool("KEFU_IVR_API_THREADS", True)
# A TTF/OTF/TTC font with Chinese glyphs for statement PDFs (default: Noto Sans CJK, found).
KEFU_CJK_FONT = env("KEFU_CJK_FONT") or ""

# Callbacks (kefu.callbacks): callbacks per agent and trading day unless the agent's profile
# says otherwise (CB-4), and the daily large-transfer list's limit in yuan (seed 003).
KEFU_CALLBACK_DAILY_QUOTA = env_int("KEFU_CALLBACK_DAILY_QUOTA", 30)
KEFU_CALLBACK_LARGE_TRANSFER_LIMIT = env("KEFU_CALLBACK_LARGE_TRANSFER_LIMIT") or "500000"
