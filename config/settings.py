"""Houqin settings. Every value comes from an environment variable with a safe default.

Production is the default (DEBUG off, HTTPS cookies, HSTS); `make demo` turns on HOUQIN_DEBUG and
turns off HOUQIN_HTTPS because it serves plain http on 127.0.0.1.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("HOUQIN_DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("HOUQIN_DEBUG", False)
HTTPS = env_bool("HOUQIN_HTTPS", True)


def _secret_key() -> str:
    """HOUQIN_SECRET_KEY, else a random key kept in the data folder (made on first start)."""
    key = env_str("HOUQIN_SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(get_random_secret_key() + get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("HOUQIN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("HOUQIN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "houqin.core",
    "houqin.org",
    "houqin.stock",
    "houqin.assets",
    "houqin.finance",
    "houqin.staff",
    "houqin.health",
    "houqin.canteen",
    "houqin.foodsafety",
    "houqin.safety",
    "houqin.notices",
    "houqin.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "houqin.core.middleware.SessionLifetimeMiddleware",
    "houqin.core.otp.TwoFactorMiddleware",
    "houqin.core.middleware.RejectedInputMiddleware",
    "houqin.core.middleware.BusyDatabaseMiddleware",
    "houqin.core.middleware.PerRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "houqin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "houqin.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{DATA_DIR / 'houqin.sqlite3'}",
        conn_max_age=env_int("HOUQIN_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# How long a write waits for a lock another writer holds before it gives up (seconds). A write that
# gives up is answered "系统繁忙，未保存，请重试" (503, nothing saved; core.middleware.BusyDatabaseMiddleware
# and the API's handler), never a 500. Kept short on purpose: a request waiting on a lock holds one of
# the server's few workers, and behind a 25 s lock two waiting writers stalled every page. On SQLite it
# is the busy timeout; on PostgreSQL the lock_timeout of every session.
HOUQIN_DB_BUSY_TIMEOUT = env_int("HOUQIN_DB_BUSY_TIMEOUT", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers never wait for the writer, and the writer never waits for readers; IMMEDIATE: a
    # transaction takes the write lock when it begins, so the busy timeout applies there (a deferred
    # transaction that upgrades to a writer fails at once, whatever the timeout).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": HOUQIN_DB_BUSY_TIMEOUT,
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
    DATABASES["default"]["OPTIONS"]["options"] = f"-c lock_timeout={HOUQIN_DB_BUSY_TIMEOUT * 1000}"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "root"
LOGOUT_REDIRECT_URL = "login"

# Lockout (django-axes): by user name and address together, so one person cannot lock out a whole
# kindergarten behind one shared address.
AXES_FAILURE_LIMIT = env_int("HOUQIN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HOUQIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "houqin.core.views.locked_out"
# The client's address for the lockout and the audit log: REMOTE_ADDR, or behind the proxy (below)
# the proxy's header, trusted only from the configured proxy addresses.
AXES_CLIENT_IP_CALLABLE = "houqin.core.audit.client_ip"
AXES_VERBOSE = False

# Two-step sign-in (django-otp; houqin.core.otp): members holding one of these roles must enrol a
# phone app (TOTP) and give its code after their password; anyone who has enrolled is asked too.
# HOUQIN_2FA_ROLES is a comma-separated list of role keys (core.roles.Role); set but empty, the
# feature is off and nobody is asked. API bearer tokens (devices, integrations) are not affected.
_2FA_DEFAULT = "principal,director,accountant,health_teacher,supervisor"
HOUQIN_2FA_ROLES = [r.strip() for r in os.environ.get("HOUQIN_2FA_ROLES", _2FA_DEFAULT).split(",") if r.strip()]
OTP_TOTP_ISSUER = env_str("HOUQIN_2FA_ISSUER", "Houqin")
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes in a row the next try waits 2^(n-1) s (django-otp)
OTP_STATIC_THROTTLE_FACTOR = 1

# Sessions: the cookie lives at most 30 days; SessionLifetimeMiddleware enforces the idle and
# absolute limits per role (staff 30 min idle / 10 h, parents 7 days idle / 30 days).
SESSION_ENGINE = "houqin.core.sessions"  # database sessions that a locked database does not turn into a 400
SESSION_COOKIE_AGE = 30 * 24 * 3600
SESSION_IDLE_SECONDS_STAFF = env_int("HOUQIN_SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_SECONDS_STAFF = 10 * 3600
SESSION_IDLE_SECONDS_PARENT = 7 * 24 * 3600
SESSION_ABSOLUTE_SECONDS_PARENT = 30 * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("HOUQIN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind the TLS proxy: its X-Forwarded-Proto says https, and its address header (X-Forwarded-For)
# says who the client is — believed only when the request comes from one of the trusted proxies.
HOUQIN_BEHIND_PROXY = env_bool("HOUQIN_BEHIND_PROXY", False)
HOUQIN_TRUSTED_PROXIES = env_list("HOUQIN_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
for _proxy in HOUQIN_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"HOUQIN_TRUSTED_PROXIES: {_proxy!r} is not an address or a network") from _exc
HOUQIN_PROXY_IP_HEADER = env_str("HOUQIN_PROXY_IP_HEADER", "X-Forwarded-For")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HOUQIN_BEHIND_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = []

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF],
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "houqin" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "houqin" / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded photos and scans (houqin.core.files): at most this many bytes; images are scaled to this side.
HOUQIN_UPLOAD_MAX_BYTES = env_int("HOUQIN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
HOUQIN_UPLOAD_IMAGE_MAX_SIDE = env_int("HOUQIN_UPLOAD_IMAGE_MAX_SIDE", 2000)
HOUQIN_IMPORT_MAX_BYTES = env_int("HOUQIN_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
HOUQIN_IMPORT_MAX_ROWS = env_int("HOUQIN_IMPORT_MAX_ROWS", 5000)
HOUQIN_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("HOUQIN_IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)

# Backups (manage.py backup / restore; README "Operations"): where the archives go, and how many of
# the newest are kept (older ones are deleted after each backup; 0 keeps all). 35 nightly archives
# keep five weeks. Copy the folder off the machine: a backup on the same disk is no backup.
HOUQIN_BACKUP_DIR = Path(env_str("HOUQIN_BACKUP_DIR", str(DATA_DIR / "backups")))
HOUQIN_BACKUP_KEEP = env_int("HOUQIN_BACKUP_KEEP", 35)
# Where pg_dump and pg_restore are (empty: found on PATH); they must be at least the server's version.
HOUQIN_PG_BIN_DIR = env_str("HOUQIN_PG_BIN_DIR", "")

# The outbox (houqin.notices.outbox; README "Operations"): e-mail through Django's mail backend; the
# 企业微信 group robot webhook of each kindergarten (slug=url, comma-separated) and the SMS gateway
# adapter (a dotted path; empty: no SMS). The link in a message starts with the site's address.
EMAIL_BACKEND = env_str("HOUQIN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("HOUQIN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("HOUQIN_EMAIL_PORT", 25)
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("HOUQIN_EMAIL_FROM", "houqin@localhost")
HOUQIN_SITE_URL = env_str("HOUQIN_SITE_URL", "")
HOUQIN_WECOM_WEBHOOKS = env_str("HOUQIN_WECOM_WEBHOOKS", "")
HOUQIN_WECOM_TRANSPORT = env_str("HOUQIN_WECOM_TRANSPORT", "houqin.notices.channels.HttpTransport")
HOUQIN_SMS_GATEWAY = env_str("HOUQIN_SMS_GATEWAY", "")
# The worker (manage.py worker): seconds between its rounds, and whether it takes the nightly backup.
HOUQIN_WORKER_INTERVAL = env_int("HOUQIN_WORKER_INTERVAL", 60)
HOUQIN_WORKER_BACKUP = env_bool("HOUQIN_WORKER_BACKUP", True)
# Each web worker loads WeasyPrint and the CJK fonts when it starts (config/wsgi.py), so that the
# first PDF a worker makes costs what any other does; 0: on the first PDF asked for instead.
HOUQIN_PDF_WARM = env_bool("HOUQIN_PDF_WARM", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HOUQIN_LOG_LEVEL", "WARNING")},
}

HOUQIN_SITE_NAME = _("Houqin")
# The API's documentation and schema need a signed-in user unless opened (the demo opens them).
HOUQIN_API_DOCS_PUBLIC = env_bool("HOUQIN_API_DOCS_PUBLIC", DEBUG)
# Django's admin (back-office repair by a superuser) is mounted at /admin/ only where this says so.
HOUQIN_ADMIN = env_bool("HOUQIN_ADMIN", False)
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 100
