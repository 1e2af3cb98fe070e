"""StayOps settings: every value comes from an environment variable (documented in .env.example)."""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_rate,
    env_str,
    parse_database_url,
)

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
    "django_prometheus",
    "axes",
    "csp",
    "core",
    "bookings",
    "wbs",
]

MIDDLEWARE = [
    # Answers /health/* before host validation, sessions or logging: probes must be cheap and must
    # work when they reach the pod by IP address.
    "core.middleware.HealthCheckMiddleware",
    # Request counts and latencies per view (django-prometheus); probes above are not counted.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.middleware.RequestLogMiddleware",
    # Compresses the final HTML and JSON (its response hook runs after every middleware below).
    "core.compression.TextGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware: the browser's Accept-Language (or language cookie) first.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user's saved language over the browser's (needs request.user).
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.security.IdleSessionMiddleware",
    "core.security.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.AuditActorMiddleware",
    "core.middleware.HtmxMessagesMiddleware",
    "core.middleware.AppErrorMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: turns a refused sign-in into our lockout page.
    "axes.middleware.AxesMiddleware",
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
# Client-side limits, so a database whose packets vanish fails requests instead of hanging them: TCP keepalives
# notice a silent server, tcp_user_timeout drops a connection whose sent data goes unacknowledged, and a
# statement timeout bounds any one query (0 turns it off).
DB_TCP_USER_TIMEOUT_MS = env_int("DB_TCP_USER_TIMEOUT_MS", 10_000, minimum=0)
DB_KEEPALIVE_IDLE_SECONDS = env_int("DB_KEEPALIVE_IDLE_SECONDS", 10, minimum=1)
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 120_000, minimum=0)
if DATABASE_URL:
    DATABASES = {
        "default": parse_database_url(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, connect_timeout=DB_CONNECT_TIMEOUT)
    }
    # django-prometheus's wrapper of Django's backend: query counts, durations and errors per process.
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
    _db_options = DATABASES["default"]["OPTIONS"]
    _db_options.setdefault("keepalives", "1")
    _db_options.setdefault("keepalives_idle", str(DB_KEEPALIVE_IDLE_SECONDS))
    _db_options.setdefault("keepalives_interval", "2")
    _db_options.setdefault("keepalives_count", "3")
    _db_options.setdefault("tcp_user_timeout", str(DB_TCP_USER_TIMEOUT_MS))
    _db_options.setdefault("options", f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}")
else:
    DATABASES = {
        "default": {
            # Django's own backend (not django-prometheus' wrapper): pytest-django keeps test databases in memory
            # only for this exact engine name, and SQLite is the one-machine default, where metrics matter least.
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
# The cache is an optimisation: a Redis that refuses or hangs costs a request at most CACHE_SOCKET_TIMEOUT, and
# then nothing for CACHE_RETRY_SECONDS (core.cache.ResilientRedisCache answers misses meanwhile).
CACHE_SOCKET_TIMEOUT = env_float("CACHE_SOCKET_TIMEOUT", 0.5)
CACHE_RETRY_SECONDS = env_float("CACHE_RETRY_SECONDS", 5.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
                "socket_timeout": CACHE_SOCKET_TIMEOUT,
                "RETRY_SECONDS": CACHE_RETRY_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django_prometheus.cache.backends.locmem.LocMemCache"}}

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
# The throttle's gate first (django-axes), then the real check.
AUTHENTICATION_BACKENDS = [
    "core.login_throttle.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation ---
# English is the default; a user's saved language comes first, then the browser's Accept-Language.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    # Django's "pt" is Portuguese as written in Portugal ("pt-br" is Brazil's); our catalogue is European.
    ("pt", "Português (Portugal)"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date and time formats per language (config/formats/<lang>/formats.py), over Django's.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Lisbon")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# Media (task photos, import files) on the local disk (one machine) or in S3-compatible object storage (several
# app servers). Either way it is private: never served under a public URL; views stream it after an access check.
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "local")
_MEDIA_STORAGES: dict[str, dict] = {
    "local": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"base_url": None}},
    "s3": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME", "") if MEDIA_STORAGE == "s3" else "",
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY", "") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # A file's name is never guessable, and a stored object is only read through the app.
            "object_parameters": {"CacheControl": "private, max-age=86400"},
        },
    },
}
if MEDIA_STORAGE not in _MEDIA_STORAGES:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be one of {sorted(_MEDIA_STORAGES)}, not {MEDIA_STORAGE!r}.")
if MEDIA_STORAGE == "s3" and not _MEDIA_STORAGES["s3"]["OPTIONS"]["bucket_name"]:
    raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
STORAGES = {
    "default": _MEDIA_STORAGES[MEDIA_STORAGE],
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
# Links in emails (no request to build them from): the address people open StayOps at.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# A running job's worker beats every JOB_LEASE_SECONDS / 3; a job silent for this long lost its worker and is
# failed (and queued again when safe), so nothing stays "running" for ever.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 300, minimum=30)

# --- Failed background jobs (issue: operations) ---
# Who is emailed when a job fails in a new way or a resolved failure recurs; empty: nobody (the page still lists them).
OPS_ALERT_EMAILS = env_list("OPS_ALERT_EMAILS", [])
OPS_ALERT_THROTTLE_MINUTES = env_int("OPS_ALERT_THROTTLE_MINUTES", 60, minimum=0)

# Mail sent by background jobs retries the server's transient errors (core.mail).
MAIL_SEND_ATTEMPTS = env_int("MAIL_SEND_ATTEMPTS", 3, minimum=1)
MAIL_RETRY_BASE_SECONDS = env_float("MAIL_RETRY_BASE_SECONDS", 2.0)
MAIL_RETRY_MAX_SECONDS = env_float("MAIL_RETRY_MAX_SECONDS", 60.0)

# --- Health probes ---
HEALTH_CACHE_SECONDS = env_int("HEALTH_CACHE_SECONDS", 5, minimum=0)
HEALTH_DB_TIMEOUT_MS = env_int("HEALTH_DB_TIMEOUT_MS", 2000, minimum=100)
HEALTH_QUEUE_STALE_SECONDS = env_int("HEALTH_QUEUE_STALE_SECONDS", 300, minimum=1)

# --- Pages ---
PAGE_SIZE = env_int("PAGE_SIZE", 50, minimum=1)
# The most rows a table shows when its URL asks for more (`?per_page=`); a bigger number is clamped to it.
PAGE_SIZE_MAX = env_int("PAGE_SIZE_MAX", 500, minimum=1)
AUDIT_PAGE_SIZE = env_int("AUDIT_PAGE_SIZE", 50, minimum=1)
# The audit trail counts matching entries up to this many and says "more than" past it: an exact count of a
# million rows reads them all on every page.
AUDIT_COUNT_LIMIT = env_int("AUDIT_COUNT_LIMIT", 10_000, minimum=1)
# Conflict cards compare two bookings field by field: a page of them is long, so fewer per page.
CONFLICT_PAGE_SIZE = env_int("CONFLICT_PAGE_SIZE", 20, minimum=1)

# --- Bookings and imports (issue: bookings) ---
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000, minimum=1)
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 2_000, minimum=1)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 2_000, minimum=16)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024, minimum=1024)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 200, minimum=2)
# Exports have a few dozen columns; a row with thousands is not a bookings export (and costs memory to read).
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200, minimum=20)
# A queued or running import with no sign of life for this long is marked failed (its job died) and can be retried.
IMPORT_STALLED_MINUTES = env_int("IMPORT_STALLED_MINUTES", 30, minimum=1)
TIMELINE_DEFAULT_DAYS = env_int("TIMELINE_DEFAULT_DAYS", 14, minimum=7)
TIMELINE_MAX_DAYS = env_int("TIMELINE_MAX_DAYS", 62, minimum=14)

# --- Work: board and Gantt (issue: work) ---
BOARD_COLUMN_PAGE_SIZE = env_int("BOARD_COLUMN_PAGE_SIZE", 25, minimum=1)
# A column header counts its cards up to this many and then says "N+": counting 60,000 cards took longer than
# drawing the board, and grew with the plan (the WIP limits are always counted past, whatever this says).
BOARD_COUNT_LIMIT = env_int("BOARD_COUNT_LIMIT", 1000, minimum=100)
# The board shows turnover cards due in this many coming days (and open ones past their date) unless asked for all.
BOARD_TURNOVER_DAYS = env_int("BOARD_TURNOVER_DAYS", 7, minimum=1)
GANTT_DEFAULT_DAYS = env_int("GANTT_DEFAULT_DAYS", 42, minimum=7)
GANTT_MAX_ROWS = env_int("GANTT_MAX_ROWS", 100, minimum=10)
# The critical path is recomputed when tasks or dependencies change; this only bounds how long an unused entry lives.
GANTT_CRITICAL_CACHE_SECONDS = env_int("GANTT_CRITICAL_CACHE_SECONDS", 3600, minimum=1)
WORKING_DAYS = [int(day) for day in env_list("WORKING_DAYS", ["0", "1", "2", "3", "4"])]
HOLIDAYS = env_list("HOLIDAYS", [])

# --- Work: WBS trees and task pages (issue: work, "wbs") ---
# A project tree shows items with rolled-up figures; expanding an item lists its tasks this many at a time.
WBS_TREE_TASK_PAGE = env_int("WBS_TREE_TASK_PAGE", 50, minimum=1)
# The tree page shows this many top-level items, and expanding an item this many of its sub-items ("Show more").
WBS_TREE_ITEM_PAGE = env_int("WBS_TREE_ITEM_PAGE", 20, minimum=1)
# How many items the item fields (the tree's add and move, the task form's WBS item) offer for what was typed.
WBS_TREE_PICKER_CHOICES = env_int("WBS_TREE_PICKER_CHOICES", 20, minimum=1)
# How many tasks the task page offers in its "waits for" list (same project or property first).
TASK_DEPENDENCY_CHOICES = env_int("TASK_DEPENDENCY_CHOICES", 300, minimum=10)

# --- Turnovers and field app (issue: turnovers) ---
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
# Far below Pillow's own bomb limit (89 million): a 24-megapixel photo decodes to about 72 MB of pixels.
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 24_000_000, minimum=10_000)
# Photos are stored (and decoded, for JPEG) at most this long on their longest side: plenty to see a stain.
PHOTO_MAX_SIDE_PX = env_int("PHOTO_MAX_SIDE_PX", 2048, minimum=64)
PHOTO_MAX_STORED_BYTES = env_int("PHOTO_MAX_STORED_BYTES", 3 * 1024 * 1024, minimum=10_000)
PHOTO_DECODE_CONCURRENCY = env_int("PHOTO_DECODE_CONCURRENCY", 1, minimum=1)
PHOTO_DECODE_WAIT_SECONDS = env_float("PHOTO_DECODE_WAIT_SECONDS", 10.0)
PHOTO_THUMBNAIL_PX = env_int("PHOTO_THUMBNAIL_PX", 480, minimum=32)
TURNOVER_LOOKAHEAD_DAYS = env_int("TURNOVER_LOOKAHEAD_DAYS", 14, minimum=1)
# A cleaner's problem report becomes a task due this many hours later, for the property's maintenance owner
# or else the user named here (a username; empty: nobody, and the report waits unassigned at the top of Today).
PROBLEM_DUE_HOURS = env_int("PROBLEM_DUE_HOURS", 24, minimum=1)
PROBLEM_DEFAULT_OWNER = env_str("PROBLEM_DEFAULT_OWNER", "").strip()
# Today refreshes its lists this often while the tab is visible, so cleaners' progress shows without a reload.
TODAY_REFRESH_SECONDS = env_int("TODAY_REFRESH_SECONDS", 20, minimum=2)
# Bookings per transaction when `sync_turnovers` walks every booking (per savepoint when an import announces its
# bookings). Each chunk costs a fixed round of queries and statements: a first import of 10,000 bookings synced
# its turnovers in 1.4 s in chunks of 2,000 against 1.9 s in chunks of 500 (docs/benchmarks.md).
TURNOVER_SYNC_CHUNK_SIZE = env_int("TURNOVER_SYNC_CHUNK_SIZE", 2000, minimum=1)
# /my/ keeps a cleaner's open tasks from this many past days; older ones are for managers.
FIELD_OVERDUE_DAYS = env_int("FIELD_OVERDUE_DAYS", 3, minimum=0)
# The phone scales a photo down to this many pixels on its longest side before uploading (or queueing) it.
FIELD_PHOTO_UPLOAD_SIDE_PX = env_int("FIELD_PHOTO_UPLOAD_SIDE_PX", 1600, minimum=64)
CALENDAR_FEED_PAST_DAYS = env_int("CALENDAR_FEED_PAST_DAYS", 30, minimum=0)
CALENDAR_FEED_FUTURE_DAYS = env_int("CALENDAR_FEED_FUTURE_DAYS", 180, minimum=1)

# --- Calendar feeds (issue 10): inbound iCal from the platforms, fetched by the worker ---
CALENDAR_SYNC_MINUTES = env_int("CALENDAR_SYNC_MINUTES", 30, minimum=1)
CALENDAR_FETCH_TIMEOUT = env_float("CALENDAR_FETCH_TIMEOUT", 15.0)
CALENDAR_MAX_DROP_RATIO = env_float("CALENDAR_MAX_DROP_RATIO", 0.5)
CALENDAR_MISSING_SYNCS = env_int("CALENDAR_MISSING_SYNCS", 2, minimum=1)
# Loopback, private and link-local addresses are refused unless this is on (tests and development).
CALENDAR_ALLOW_PRIVATE_HOSTS = env_bool("CALENDAR_ALLOW_PRIVATE_HOSTS", DEBUG)
CALENDAR_MAX_BYTES = env_int("CALENDAR_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
CALENDAR_FETCH_ATTEMPTS = env_int("CALENDAR_FETCH_ATTEMPTS", 3, minimum=1)
# Exponential backoff between attempts: the first wait, and the longest (also the most a Retry-After is honoured).
CALENDAR_RETRY_BASE_SECONDS = env_float("CALENDAR_RETRY_BASE_SECONDS", 1.0)
CALENDAR_RETRY_MAX_SECONDS = env_float("CALENDAR_RETRY_MAX_SECONDS", 30.0)
if CALENDAR_FETCH_TIMEOUT <= 0 or not 0 < CALENDAR_MAX_DROP_RATIO <= 1:
    raise ImproperlyConfigured("CALENDAR_FETCH_TIMEOUT must be above 0 and CALENDAR_MAX_DROP_RATIO in (0, 1].")

# --- Circuit breaker per external host (core.circuit), shared by every process through the cache ---
CIRCUIT_FAILURE_THRESHOLD = env_int("CIRCUIT_FAILURE_THRESHOLD", 5, minimum=1)
CIRCUIT_RESET_SECONDS = env_int("CIRCUIT_RESET_SECONDS", 300, minimum=1)

# --- Error reporting (optional): unexpected errors to Sentry, with no personal data ---
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=VERSION,
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
        send_default_pii=False,
    )

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
        # django-axes logs every sign-in at INFO; lockouts (WARNING) still show.
        "axes": {"level": "WARNING"},
    },
}

# --- Security (docs/operations.md, "Security") ---
# How many proxies of ours append to X-Forwarded-For (1 behind one load balancer); 0 ignores the header.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# Sign-in throttling (django-axes, state in the database): per username and address together.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A lockout ends LOGIN_LOCKOUT_MINUTES after it began, however often someone keeps trying meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "core.login_throttle.lockout_response"
AXES_VERBOSE = False
# Rate limits (django-ratelimit counters in the cache: Redis when REDIS_URL is set), as count/period.
# A cache that cannot count lets requests through rather than refusing everyone.
RATELIMIT_FAIL_OPEN = True
RATE_LIMIT_IMPORTS = env_rate("RATE_LIMIT_IMPORTS", "20/h")
RATE_LIMIT_PHOTO_UPLOADS = env_rate("RATE_LIMIT_PHOTO_UPLOADS", "60/10m")
RATE_LIMIT_EXPORTS = env_rate("RATE_LIMIT_EXPORTS", "30/h")
RATE_LIMIT_CALENDAR_SYNC = env_rate("RATE_LIMIT_CALENDAR_SYNC", "6/h")
RATE_LIMIT_CALENDAR_FEEDS = env_rate("RATE_LIMIT_CALENDAR_FEEDS", "60/h")
RATE_LIMIT_PASSWORD_RESET = env_rate("RATE_LIMIT_PASSWORD_RESET", "5/h")
# Operator endpoints (/health/detailed/, /metrics): staff, this bearer token, or these networks.
OPS_TOKEN = env_str("OPS_TOKEN", "")
OPS_ALLOWED_NETWORKS = env_networks(
    "OPS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]
)
# Sessions: signed out after this long without a request; never longer than SESSION_COOKIE_AGE in all.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120, minimum=1)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600, minimum=60)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 3600, minimum=300)
# Content-Security-Policy (django-csp). No inline or eval'd script anywhere; inline style attributes only
# (the timeline and tag colours position and colour elements from data), never <style> elements.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "style-src-elem": [_SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [_SELF, "data:", "blob:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "manifest-src": [_SELF],
        "worker-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_NONE],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    },
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Features no page uses; a script injected despite the CSP still cannot reach them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
