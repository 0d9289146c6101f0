"""The one settings module of ansinh, driven by environment variables.

With nothing set it runs on SQLite under ``var/`` (WAL journal, busy timeout). Set
``DATABASE_URL`` (e.g. ``postgres://user@127.0.0.1:5432/ansinh``) for PostgreSQL.
See README.md for every variable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(os.environ.get("ANSINH_HOME", Path.cwd())).resolve()
VAR_DIR = Path(os.environ.get("ANSINH_VAR_DIR", BASE_DIR / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# A real installation is safe without extra configuration: production is the default, and
# the Makefile, the test run (pytest-env) and the demo say ANSINH_ENV=development.
ANSINH_ENV = os.environ.get("ANSINH_ENV", "production").strip().lower() or "production"
if ANSINH_ENV not in {"production", "development"}:
    raise RuntimeError(
        f"ANSINH_ENV={ANSINH_ENV!r}: dùng 'production' hoặc 'development' "
        "(use 'production' or 'development')."
    )
PRODUCTION = ANSINH_ENV == "production"

DEBUG = env_bool("ANSINH_DEBUG", default=False)
_secret = os.environ.get("ANSINH_SECRET_KEY", "").strip()
if not _secret:
    # ANSINH_REQUIRE_SECRET is the older name of the same rule; kept as an alias.
    if PRODUCTION or env_bool("ANSINH_REQUIRE_SECRET", default=False):
        raise RuntimeError(
            "Chưa đặt ANSINH_SECRET_KEY: máy chủ thật (ANSINH_ENV=production, mặc định) không "
            "chạy khi thiếu khóa bí mật. Đặt ANSINH_SECRET_KEY là một chuỗi ngẫu nhiên dài "
            "(ví dụ: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), hoặc "
            "ANSINH_ENV=development trên máy phát triển.\n"
            "ANSINH_SECRET_KEY is not set: a production server (ANSINH_ENV=production, the "
            "default) does not start without a secret key. Set ANSINH_SECRET_KEY to a long "
            "random string, or ANSINH_ENV=development on a development machine."
        )
    # Development/demo only: a key that is per-checkout, never committed.
    _secret = "insecure-dev-key-" + str(BASE_DIR)
SECRET_KEY = _secret
ALLOWED_HOSTS = env_list("ANSINH_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("ANSINH_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "ansinh.core",
    "ansinh.places",
    "ansinh.accounts",
    "ansinh.imports",
    "ansinh.registry",
    "ansinh.messaging",
    "ansinh.poverty",
    "ansinh.insurance",
    "ansinh.assistance",
    "ansinh.coordination",
    "ansinh.outreach",
    "ansinh.policy",
    "ansinh.api",
    "ansinh.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ansinh.core.middleware.SessionIdleMiddleware",
    "ansinh.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ansinh.accounts.middleware.PasswordChangeRequiredMiddleware",
    "ansinh.accounts.middleware.ScopeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ansinh.config.urls"
WSGI_APPLICATION = "ansinh.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ansinh.accounts.context_processors.membership",
                "ansinh.coordination.context_processors.unread",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("ANSINH_SQLITE_PATH", str(VAR_DIR / "ansinh.sqlite3")),
            "OPTIONS": {
                # WAL lets readers work while a writer writes; IMMEDIATE avoids the
                # "database is locked" upgrade deadlock; the busy timeout waits for the lock.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA cache_size=-64000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: refuses a locked-out (user name, IP) before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# An idle timeout: the session ends after ANSINH_SESSION_HOURS without a request.
SESSION_COOKIE_AGE = int(float(os.environ.get("ANSINH_SESSION_HOURS", "8")) * 3600)
# Renewed by ansinh.core.middleware.SessionIdleMiddleware every few minutes, not saved on every
# request (a database write per page).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 300
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ANSINH_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Sign-in throttling (django-axes): ANSINH_LOGIN_FAILURES wrong passwords for one user name
# from one address lock that pair for ANSINH_LOCKOUT_MINUTES; a successful sign-in resets.
AXES_FAILURE_LIMIT = int(os.environ.get("ANSINH_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("ANSINH_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ansinh.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "ansinh.accounts.views.client_ip"
AXES_VERBOSE = False

# --- HTTPS and browser protections ----------------------------------------------------
# Behind a reverse proxy (nginx, Caddy) that terminates TLS and sets X-Forwarded-Proto and
# X-Forwarded-For: ANSINH_BEHIND_PROXY=true.
ANSINH_BEHIND_PROXY = env_bool("ANSINH_BEHIND_PROXY", default=False)
if ANSINH_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("ANSINH_HSTS_SECONDS", "31536000")) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
# HSTS preload is a commitment for the whole domain (every subdomain, for years): the operator
# opts in with ANSINH_HSTS_PRELOAD=true; left off, `check --deploy` does not warn about it.
SECURE_HSTS_PRELOAD = PRODUCTION and env_bool("ANSINH_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Redirect plain HTTP to HTTPS when Django can tell them apart (behind the proxy); the health
# check stays reachable over HTTP for a local monitor.
SECURE_SSL_REDIRECT = env_bool("ANSINH_SSL_REDIRECT", default=PRODUCTION and ANSINH_BEHIND_PROXY)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp), in development too so that the browser tests see a
# violation. Pages use only their own static files; a template that must run an inline
# script marks it with nonce="{{ request.csp_nonce }}".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["ansinh.config.formats"]
# Every count shown is grouped the Vietnamese way (4.700, 16.480; "4,700" in English): a number
# that is not a quantity (an id in a link, a page number, a year) is written with
# ``|unlocalize`` or ``{% localize off %}`` (tests/core/test_numbers.py checks the templates).
USE_THOUSAND_SEPARATOR = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Production serves the collected files (`ansinh serve` runs collectstatic) with hashed names
# and compressed copies, cached for a year; development reads them from the apps.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Background tasks (django-tasks) --------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "ANSINH_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# --- ansinh ---------------------------------------------------------------------------
ANSINH_PAGE_SIZE = int(os.environ.get("ANSINH_PAGE_SIZE", "25"))

# Uploads (card lists, bank results): each file at most ANSINH_MAX_UPLOAD_MB (default 20),
# checked by the forms ("Tệp quá lớn"); past the limit nothing more is written to disk. A
# request's other data (form fields) is capped by Django; files up to 2.5 MB stay in memory.
ANSINH_MAX_UPLOAD_MB = int(os.environ.get("ANSINH_MAX_UPLOAD_MB", "20"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "ansinh.core.web.LimitedTemporaryFileUploadHandler",
]
# API tokens expire this many days after they are issued.
ANSINH_API_TOKEN_DAYS = int(os.environ.get("ANSINH_API_TOKEN_DAYS", "90"))
# Backups (`ansinh backup`): where they are written and read (the officer's home shows the
# newest), and how many of the latest are kept (plus the newest of each of the last 12 months).
# Figures shown for reading (coverage, counts per village) are counted once per change of the
# commune's data (ansinh.core.figures) and kept at most this many seconds, in files under
# VAR_DIR/cache that every web process of the server reads (ANSINH_CACHE=files, the default:
# five gunicorn workers count a figure once, not five times), or in each process's memory
# (ANSINH_CACHE=memory: the tests). Several servers each keep their own: a figure is right
# whichever counted it, since its key names the commune's change stamp.
ANSINH_FIGURES_MAX_AGE = int(os.environ.get("ANSINH_FIGURES_MAX_AGE", "600"))
_CACHE = os.environ.get("ANSINH_CACHE", "files").strip().lower()
if _CACHE not in ("files", "memory"):
    raise RuntimeError(f"ANSINH_CACHE must be 'files' or 'memory', not {_CACHE!r}")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache"
        if _CACHE == "files"
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": str(VAR_DIR / "cache") if _CACHE == "files" else "ansinh-figures",
        "TIMEOUT": ANSINH_FIGURES_MAX_AGE,
        "OPTIONS": {"MAX_ENTRIES": 5000},
        # the figures of one database never answer for another kept in the same folder
        "KEY_PREFIX": hashlib.sha256(
            "|".join(
                str(DATABASES["default"].get(k, "")) for k in ("ENGINE", "HOST", "PORT", "NAME")
            ).encode()
        ).hexdigest()[:12],
    }
}
ANSINH_BACKUP_DIR = Path(os.environ.get("ANSINH_BACKUP_DIR", VAR_DIR / "backups")).resolve()
ANSINH_BACKUP_KEEP = int(os.environ.get("ANSINH_BACKUP_KEEP", "14"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ANSINH_LOG_LEVEL", "WARNING")},
}
