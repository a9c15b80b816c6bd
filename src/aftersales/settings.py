"""Settings from the environment: SQLite under var/ by default, DATABASE_URL for PostgreSQL."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("AFTERSALES_VAR", Path.cwd() / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-change-me")
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "aftersales.core",
    "aftersales.accounts",
    "aftersales.customers",
    "aftersales.orders",
    "aftersales.dispatch",
    "aftersales.parts",
    "aftersales.care",
    "aftersales.warranty",
    "aftersales.kpis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static assets ship in the package and are served by the app itself (no CDN, no nginx).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "orders:list"
LOGOUT_REDIRECT_URL = "login"

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
                "aftersales.core.context.roles",
            ]
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the CLI write to one file side by side.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Only the intake's statements are prepared (aftersales.core.bulk.pg_execute: small
    # look-ups and inserts); a generic plan spares planning them again on every order.
    # Django's own queries are bound client-side and never prepared, so this leaves them be.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c plan_cache_mode=force_generic_plan"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("ko", "한국어"),
    ("en", "English"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# Phone numbers are normalised to E.164 in this region unless they carry a country code.
PHONE_REGION = os.environ.get("PHONE_REGION", "CN")
# Lists count their rows up to this many (core/paging.py); beyond it they say "N+".
LIST_COUNT_CAP = int(os.environ.get("LIST_COUNT_CAP", "10000"))

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Without collectstatic (tests, dev) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

ROLE_LABELS = {
    "clerk": _("Info clerk"),
    "dispatcher": _("Dispatcher"),
    "technician": _("Technician"),
    "parts_keeper": _("Parts keeper"),
    "supervisor": _("Product supervisor"),
    "manager": _("Manager"),
    "admin": _("Administrator"),
}

# Mail for the care app's email message backend (C-4 invitations); console by default.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") in ("1", "true", "yes")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "aftersales@localhost")
