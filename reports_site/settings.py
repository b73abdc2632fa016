"""Settings for the council briefing site.

Every knob is read from the environment with a safe development default; see
`.env.example` for the full list. With DEBUG off, a missing SECRET_KEY fails loudly.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    """The variable, or the default when it is unset or empty (`.env.example` leaves a
    variable empty to mean "the default")."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    return env_str(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env_str(name, str(default)))


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-key-not-for-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "import_export",
    "departments",
    "budgets",
    "programs",
    "council",  # before reports_site: its permissions exist when the roles sync
    "reports_site",
    "django_tasks",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, before anything slower
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "reports_site.security.SecurityHeadersMiddleware",
    # Last, as axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reports_site.urls"
WSGI_APPLICATION = "reports_site.wsgi.application"

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
                "django.template.context_processors.i18n",
                "reports_site.security.session_expiry",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # One web process and one worker share the file: WAL lets readers run beside the one
    # writer, a write transaction takes its lock at BEGIN (a deferred one that upgrades
    # later fails at once when the other process writes), and a busy writer is waited for.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "ko")
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["reports_site.formats"]  # Korean times on the 24-hour clock
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))


# The app servers serve the static files themselves (whitenoise): compressed, and with
# DEBUG off under names that carry their content's hash, so browsers keep them for a year
# (`manage.py collectstatic` at each deployment). Media files go through the app's views,
# which check who may read them.
def media_storage(kind: str) -> dict:
    """Where media files live (edition PDFs, rendered parts, block images): the folder
    MEDIA_ROOT, which several app servers may share (a network mount), or an S3-compatible
    bucket. Every file is written and read through Django's storage API."""
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured("MEDIA_STORAGE must be filesystem or s3.")
    bucket = env_str("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    options = {
        "bucket_name": bucket,
        "location": env_str("AWS_LOCATION", ""),  # a folder (key prefix) in the bucket
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
        "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE", "") or None,
        # A block image uploaded under a name already taken gets a new name: the old file
        # stays for the editions that show it (the default would overwrite it).
        "file_overwrite": False,
        # Files are served by the app's views, which check who may read them: no public
        # ACL, no signed links handed out.
        "default_acl": None,
        "querystring_auth": False,
        # A file read from the bucket is buffered in memory up to this, then on disk: a
        # booklet of many megabytes does not sit in a worker's memory while it downloads.
        "max_memory_size": 8 * 2**20,
    }
    # Without keys boto3 finds its own (its environment variables, an instance role).
    for option, variable in (
        ("access_key", "AWS_ACCESS_KEY_ID"),
        ("secret_key", "AWS_SECRET_ACCESS_KEY"),
    ):
        if value := env_str(variable, ""):
            options[option] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


MEDIA_STORAGE = env_str("MEDIA_STORAGE", "filesystem").lower()
STORAGES = {
    "default": media_storage(MEDIA_STORAGE),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

LOGIN_URL = "admin:login"
# After a login whose `next` is missing or leads off the site (Django's default is a page
# this project lacks).
LOGIN_REDIRECT_URL = "council:home"
# Councils that publish nothing to citizens put every report page behind a login.
REPORTS_REQUIRE_LOGIN = env_bool("REPORTS_REQUIRE_LOGIN", False)
# Publishing a briefing whose quarters are not all approved: "confirm" (the clerk sees
# which and confirms; the confirmation is kept in the briefing's history) or "refuse".
PUBLISH_UNAPPROVED = env_str("PUBLISH_UNAPPROVED", "confirm").lower()
if PUBLISH_UNAPPROVED not in {"confirm", "refuse"}:
    raise ImproperlyConfigured("PUBLISH_UNAPPROVED must be confirm or refuse.")


def cache_settings(url: str, max_entries: int, key_prefix: str = "") -> dict:
    """The default cache: each process's own memory, or, with CACHE_URL
    (redis://host:port/db), one Redis shared by every process and machine.

    Published sections stay cached for good (they never change), so a shared cache needs
    a new key_prefix (CACHE_KEY_PREFIX) with each release that may render them otherwise;
    a restarted process's own memory starts empty anyway."""
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        }
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL.")
    # Redis evicts by its own maxmemory policy; MAX_ENTRIES is for the local memory only.
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
    }


# Each worker keeps published editions' sections (data and rendered HTML) in memory; a
# district's session is a few thousand entries (council.reports). With CACHE_URL they are
# kept once for all the app servers.
CACHES = {
    "default": cache_settings(
        env_str("CACHE_URL", ""),
        env_int("CACHE_MAX_ENTRIES", 5000),
        env_str("CACHE_KEY_PREFIX", ""),
    )
}

# Every log record one line on stderr (reports_site.logs): JSON for the journal in
# production, text in development. Every 500 is logged with its traceback and request.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json").lower()
try:
    LOGGING = logging_config(LOG_LEVEL, LOG_FORMAT)
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from error

# Only users who may add rows may import them (the default lets view-only staff import).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Exported text that a spreadsheet would run as a formula gets a leading apostrophe
# (departments.imports.EscapedExport); imports take it off again.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# Limits checked before a spreadsheet is parsed (a small xlsx can inflate to gigabytes).
IMPORT_MAX_ROWS = 5_000
IMPORT_MAX_FILE_BYTES = 5 * 2**20
IMPORT_MAX_XLSX_UNPACKED_BYTES = 20 * 2**20
IMPORT_MAX_XLSX_RATIO = 100
# An uploaded file waits this long for its confirm (departments.models.PendingImport).
IMPORT_PENDING_HOURS = 24
# A confirmed import of more rows than this runs in the background worker, the user
# following its progress (departments.import_jobs); smaller ones finish in the request.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 500)
# Rows per page of an import's preview.
IMPORT_PREVIEW_PAGE_ROWS = 100

# HTTPS: on by default once DEBUG is off (a variable left empty keeps the default), so that
# a production install is safe without setting each one; `check --deploy` stays quiet.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer asks /healthz over plain HTTP on the private network; a redirect would
# read as a failed check.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
# Reverse proxies in front of the site, each adding the address it saw to X-Forwarded-For;
# 0: none, the client is REMOTE_ADDR and the header (anyone can send one) is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SECURE_REFERRER_POLICY = env_str("SECURE_REFERRER_POLICY", "same-origin")
X_FRAME_OPTIONS = "DENY"

# A session lasts a working day from the login (not two weeks); pages warn a few minutes
# before it ends and offer to extend it (KWCAG: enough time, reports_site.security).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 9 * 3600)
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 5 * 60)

# Login throttling (django-axes) on both logins: after AXES_FAILURE_LIMIT wrong passwords
# the client's address and the account are each refused until the cool-off has passed
# (the address alone would let a spread-out guesser try an account forever; the account
# alone would let one address try every account). Unlock early with
# `manage.py axes_reset_username <name>` or `axes_reset_ip <address>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before checking
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True  # a right password forgets the earlier mistakes
AXES_CLIENT_IP_CALLABLE = "reports_site.security.client_ip"
AXES_LOCKOUT_CALLABLE = "reports_site.security.locked_out"
# Lockouts are reset from the command line; their admin pages would show every login.
AXES_ENABLE_ADMIN = False

# Background work (the session booklet): jobs wait in the database for `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Processes rendering booklet parts at once; 0 means one per CPU core.
BRIEFING_PDF_WORKERS = env_int("BRIEFING_PDF_WORKERS", 0)
