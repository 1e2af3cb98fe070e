"""StayOps settings: every value comes from an environment variable (documented in .env.example)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_str, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("STAYOPS_DATA_DIR", str(BASE_DIR / "var")))
VERSION = env_str("STAYOPS_VERSION", "0.1.0")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-only-key" if DEBUG else None)
if not DEBUG and SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be a real secret when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- HTTPS (all off by default so `make run` works over plain http) ---
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Probes talk plain http inside the cluster; the health middleware answers before this redirect anyway.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^readiness/"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

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
    "template_partials",
    "django_tables2",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "core",
    "bookings",
    "wbs",
]

MIDDLEWARE = [
    # Answers /health/* before host validation, sessions or logging: probes must be cheap and must
    # work when they reach the pod by IP address.
    "core.middleware.HealthCheckMiddleware",
    "core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.AuditActorMiddleware",
    "core.middleware.HtmxMessagesMiddleware",
    "core.middleware.AppErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
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
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 3, minimum=1)
SQLITE_BUSY_TIMEOUT = env_float("SQLITE_BUSY_TIMEOUT", 20.0)
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": parse_database_url(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, connect_timeout=DB_CONNECT_TIMEOUT)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(DATA_DIR / "stayops.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing
                # with "database is locked" half way through a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": SQLITE_BUSY_TIMEOUT,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": DB_CONNECT_TIMEOUT, "socket_timeout": DB_CONNECT_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs (django-tasks) ---
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}, not {TASKS_BACKEND!r}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}

# --- Auth ---
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation ---
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "Europe/Lisbon")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    # Media is private (task photos): never served under a public URL; views stream it after an access check.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"base_url": None}},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if env_bool("STATIC_NO_MANIFEST", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)

# --- Email ---
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "StayOps <stayops@localhost>")

# --- Health probes ---
HEALTH_CACHE_SECONDS = env_int("HEALTH_CACHE_SECONDS", 5, minimum=0)
HEALTH_DB_TIMEOUT_MS = env_int("HEALTH_DB_TIMEOUT_MS", 2000, minimum=100)
HEALTH_QUEUE_STALE_SECONDS = env_int("HEALTH_QUEUE_STALE_SECONDS", 300, minimum=1)

# --- Pages ---
PAGE_SIZE = env_int("PAGE_SIZE", 50, minimum=1)
# The most rows a table shows when its URL asks for more (`?per_page=`); a bigger number is clamped to it.
PAGE_SIZE_MAX = env_int("PAGE_SIZE_MAX", 500, minimum=1)
AUDIT_PAGE_SIZE = env_int("AUDIT_PAGE_SIZE", 50, minimum=1)
# Conflict cards compare two bookings field by field: a page of them is long, so fewer per page.
CONFLICT_PAGE_SIZE = env_int("CONFLICT_PAGE_SIZE", 20, minimum=1)

# --- Bookings and imports (issue: bookings) ---
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000, minimum=1)
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 2_000, minimum=1)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 2_000, minimum=16)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024, minimum=1024)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 200, minimum=2)
TIMELINE_DEFAULT_DAYS = env_int("TIMELINE_DEFAULT_DAYS", 14, minimum=7)
TIMELINE_MAX_DAYS = env_int("TIMELINE_MAX_DAYS", 62, minimum=14)

# --- Work: board and Gantt (issue: work) ---
BOARD_COLUMN_PAGE_SIZE = env_int("BOARD_COLUMN_PAGE_SIZE", 50, minimum=1)
GANTT_DEFAULT_DAYS = env_int("GANTT_DEFAULT_DAYS", 42, minimum=7)
GANTT_MAX_ROWS = env_int("GANTT_MAX_ROWS", 300, minimum=10)
# The critical path is recomputed when tasks or dependencies change; this only bounds how long an unused entry lives.
GANTT_CRITICAL_CACHE_SECONDS = env_int("GANTT_CRITICAL_CACHE_SECONDS", 3600, minimum=1)
WORKING_DAYS = [int(day) for day in env_list("WORKING_DAYS", ["0", "1", "2", "3", "4"])]
HOLIDAYS = env_list("HOLIDAYS", [])

# --- Work: WBS trees and task pages (issue: work, "wbs") ---
# A project tree lists its tasks under their items up to this many tasks; a bigger tree lists items only and
# each item's page lists its tasks, so the tree page stays light at any size.
WBS_TREE_INLINE_TASKS = env_int("WBS_TREE_INLINE_TASKS", 300, minimum=0)
# How many tasks the task page offers in its "waits for" list (same project or property first).
TASK_DEPENDENCY_CHOICES = env_int("TASK_DEPENDENCY_CHOICES", 300, minimum=10)

# --- Turnovers and field app (issue: turnovers) ---
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 40_000_000, minimum=10_000)
PHOTO_THUMBNAIL_PX = env_int("PHOTO_THUMBNAIL_PX", 480, minimum=32)
TURNOVER_LOOKAHEAD_DAYS = env_int("TURNOVER_LOOKAHEAD_DAYS", 14, minimum=1)
# Bookings per transaction when `sync_turnovers` walks every booking.
TURNOVER_SYNC_CHUNK_SIZE = env_int("TURNOVER_SYNC_CHUNK_SIZE", 500, minimum=1)
# /my/ keeps a cleaner's open tasks from this many past days; older ones are for managers.
FIELD_OVERDUE_DAYS = env_int("FIELD_OVERDUE_DAYS", 3, minimum=0)
CALENDAR_FEED_PAST_DAYS = env_int("CALENDAR_FEED_PAST_DAYS", 30, minimum=0)
CALENDAR_FEED_FUTURE_DAYS = env_int("CALENDAR_FEED_FUTURE_DAYS", 180, minimum=1)

# --- Logging: one JSON line per request (core.middleware.RequestLogMiddleware) ---
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The request log line replaces Django's own per-request lines.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
