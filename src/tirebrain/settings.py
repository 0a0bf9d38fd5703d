"""Django settings, read from ``TIREBRAIN_*`` environment variables with safe defaults.

Why environment variables: the same build runs as the embedded SQLite demo on a laptop and as the
PostgreSQL production service on a government intranet; only the environment differs.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("TIREBRAIN_DATA_DIR", "var")).resolve()
TESTING = "pytest" in sys.modules  # tests get their own database and fast hashing


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept (0600) in the data dir."""
    if key := os.environ.get("TIREBRAIN_SECRET_KEY"):
        return key
    if TESTING:
        return "tirebrain-tests-only-not-secret"
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("TIREBRAIN_DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("TIREBRAIN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
if TESTING:
    ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "tirebrain.core",
    "tirebrain.accounts",
    "tirebrain.orgs",
    "tirebrain.plan",
    "tirebrain.datavalues",
    "tirebrain.indicators",
    "tirebrain.products",
    "tirebrain.trace",
    "tirebrain.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tirebrain.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tirebrain.urls"
WSGI_APPLICATION = "tirebrain.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tirebrain.core.context.site",
            ],
        },
    },
]


def _database_url() -> str:
    if TESTING:
        return os.environ.get("TIREBRAIN_TEST_DATABASE_URL", "sqlite://:memory:")
    default = f"sqlite:///{DATA_DIR / 'tirebrain.sqlite3'}"
    return os.environ.get("TIREBRAIN_DATABASE_URL", default)


DATABASES = {"default": dj_database_url.parse(_database_url(), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the cockpit read while an import writes; a busy timeout instead of instant errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = None if TESTING else DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "indicators:cockpit"
LOGOUT_REDIRECT_URL = "core:home"

# Security headers. Cookies are marked Secure only when served over HTTPS (TIREBRAIN_HTTPS=1,
# e.g. behind the intranet's TLS proxy); over plain http://127.0.0.1 a Secure cookie would never
# come back and nobody could log in.
HTTPS = _env_bool("TIREBRAIN_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_SSL_REDIRECT = _env_bool("TIREBRAIN_SSL_REDIRECT", True)
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("TIREBRAIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Login throttling: failures per user name and per client address within the window.
LOGIN_MAX_FAILURES = int(os.environ.get("TIREBRAIN_LOGIN_MAX_FAILURES", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("TIREBRAIN_LOGIN_FAILURE_WINDOW", "900"))
# Behind the intranet's reverse proxy every request comes from the proxy's address: take the
# client's address from the X-Forwarded-For entry the proxy appended.
BEHIND_PROXY = _env_bool("TIREBRAIN_BEHIND_PROXY")

PLAN_FILE = Path(
    os.environ.get(
        "TIREBRAIN_PLAN_FILE", BASE_DIR.parent.parent / "plans" / "shandong-tyre-2024-2027.yaml"
    )
)
REFERENCE_DIR = Path(os.environ.get("TIREBRAIN_REFERENCE_DIR", BASE_DIR.parent.parent / "data"))

# EPCIS capture limits, advertised on OPTIONS /epcis/v2/capture and enforced (413).
EPCIS_MAX_EVENTS = int(os.environ.get("TIREBRAIN_EPCIS_MAX_EVENTS", "10000"))
EPCIS_MAX_BYTES = int(os.environ.get("TIREBRAIN_EPCIS_MAX_BYTES", str(32 * 1024 * 1024)))
# The most events one query page returns (perPage above it is lowered to it).
EPCIS_MAX_PAGE = int(os.environ.get("TIREBRAIN_EPCIS_MAX_PAGE", "1000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TIREBRAIN_LOG_LEVEL", "WARNING")},
}
