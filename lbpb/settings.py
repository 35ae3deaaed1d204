"""The one settings module. Every deployment value comes from the environment.

Fails closed: DEBUG is off unless DJANGO_DEBUG=1, and with DEBUG off a
SECRET_KEY and ALLOWED_HOSTS must be given. With no DATABASE_URL the product
runs on SQLite; with no CELERY_BROKER_URL, Celery tasks run in-process.
The README's configuration table lists every variable read here.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

if DEBUG:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-only-for-debug-mode")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", required=True)

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc as static files (no CDN)
    "core",
    "accounts",
    "studies",
    "participants",
    "instruments",
    "randomisation",
    "audit",
    "imaging",
    "biobank",
    "safety",
    "queries",
    "reports",
    "monitoring",
    "workflows",
    "api",
    "surveys",
    "exports",
    # The project package: navigation, the home page, the demo and first-run commands (create_study_admin, grant_role).
    "lbpb",
]

MIDDLEWARE = [
    # First: answers GET /health/ for the container's probe by address, before host checks and HTTPS redirect.
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Admin, data manager, PI and unblinded statistician set up two-factor log-in first (capabilities USE_TWO_FACTOR).
    "accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy everywhere; Cache-Control: no-store on signed-in pages and on every download.
    "core.middleware.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lock-out into its lock-out response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lbpb.urls"
WSGI_APPLICATION = "lbpb.wsgi.application"

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
                "lbpb.navigation.navigation",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL through DATABASE_URL -------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A kept connection (CONN_MAX_AGE) is checked before a request reuses it, so after a database restart only the
# requests made while it is down fail (with the 503 maintenance page), not the first one on each stale connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers do not block the writer, and a commit is one append instead of a journal rewrite (the
    # embedded mode's in-process ingest commits per step). Durability is unchanged (synchronous stays FULL).
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, passwords, lock-out, sessions ---------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "two_factor:login"

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password reset by e-mail: a link works once and for PASSWORD_RESET_TIMEOUT seconds; an address may ask for at most
# PASSWORD_RESET_REQUEST_LIMIT reset e-mails an hour, and one e-mail address receives at most as many.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
PASSWORD_RESET_REQUEST_LIMIT = env_int("PASSWORD_RESET_REQUEST_LIMIT", 5)
if PASSWORD_RESET_TIMEOUT < 60 or PASSWORD_RESET_REQUEST_LIMIT < 1:
    raise ImproperlyConfigured(
        "PASSWORD_RESET_TIMEOUT must be 60 seconds or more, PASSWORD_RESET_REQUEST_LIMIT 1 or more."
    )

# Two-factor log-in (TOTP) is required of these roles in any study; DJANGO_REQUIRE_2FA=0 turns it off (demo, tests).
REQUIRE_2FA = env_bool("DJANGO_REQUIRE_2FA", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
# Lock a user name from the address the failures came from: failures from address A do not lock the same user
# out at address B, so nobody can lock a colleague out by typing their name wrongly from elsewhere. (Behind a
# hospital NAT one address is many people; the lock is still per user name there.)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner on every command; lock-outs are still logged
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"

# Idle timeout: the session expires SESSION_IDLE_MINUTES after the last request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Shared cache for several web and worker processes (rate limits, password-reset counts, the series-refresh flag):
# Redis when CACHE_URL is set, else each process's own memory. Sessions are rows in the database, which every
# process sees; with a shared cache they are read through it (cached_db). Never cached_db over per-process memory:
# a session ended in one process would live on in another's copy.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("CACHE_URL must be a Redis URL (redis://host:6379/1, rediss://, unix://).")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "lbpb"}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if CACHE_URL else "django.contrib.sessions.backends.db"

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = env_str("DJANGO_LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed by npm (package.json): served by the product, never from a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
]
# In development, serve straight from the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]  # uploads stream to disk
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DJANGO_UPLOAD_MAX_FILES", 2000)  # a DICOM series is hundreds of files
# Bounds of every stored value (core/validation.py): dates up to this many years from today; text fields at most
# this many characters where the definition sets no smaller limit.
INPUT_MAX_FUTURE_YEARS = env_int("INPUT_MAX_FUTURE_YEARS", 50)
INPUT_MAX_TEXT_LENGTH = env_int("INPUT_MAX_TEXT_LENGTH", 10_000)
IMAGING_UID_SECRET = env_str("IMAGING_UID_SECRET", SECRET_KEY)  # keys the DICOM UID mapping of de-identification
# Days a BIDS export's zip is kept after it finished before the nightly sweep deletes it; 0 keeps zips forever.
IMAGING_EXPORT_KEEP_DAYS = env_int("IMAGING_EXPORT_KEEP_DAYS", 30)
# Days a finished data export's file stays downloadable (exports app); then the nightly sweep deletes it.
DATA_EXPORT_KEEP_DAYS = env_int("DATA_EXPORT_KEEP_DAYS", 7)
# manage.py generate_study: participants written per transaction, and the most one run may generate.
SYNTHETIC_BATCH_SIZE = env_int("SYNTHETIC_BATCH_SIZE", 500)
SYNTHETIC_MAX_PARTICIPANTS = env_int("SYNTHETIC_MAX_PARTICIPANTS", 100000)
if SYNTHETIC_BATCH_SIZE < 1 or SYNTHETIC_MAX_PARTICIPANTS < 1:
    raise ImproperlyConfigured("SYNTHETIC_BATCH_SIZE and SYNTHETIC_MAX_PARTICIPANTS must be 1 or more.")
if DATA_EXPORT_KEEP_DAYS < 1:
    raise ImproperlyConfigured("DATA_EXPORT_KEEP_DAYS must be 1 or more.")
if IMAGING_EXPORT_KEEP_DAYS < 0:
    raise ImproperlyConfigured("IMAGING_EXPORT_KEEP_DAYS must be 0 (keep forever) or more.")
# Watched drop folder (<folder>/<study code>/[<participant study ID>/<visit code>/]file); empty: off. A file is taken
# once unchanged for IMAGING_DROP_SETTLE_SECONDS, so a scanner still copying it is not ingested half-written.
IMAGING_DROP_FOLDER = env_str("IMAGING_DROP_FOLDER", "")
IMAGING_DROP_SETTLE_SECONDS = env_int("IMAGING_DROP_SETTLE_SECONDS", 60)
if IMAGING_DROP_SETTLE_SECONDS < 0:
    raise ImproperlyConfigured("IMAGING_DROP_SETTLE_SECONDS must be 0 or more.")
# Zip uploads: checked on the zip's directory before extracting and on the bytes written while extracting.
IMAGING_ZIP_MAX_MEMBERS = env_int("IMAGING_ZIP_MAX_MEMBERS", 2000)
IMAGING_ZIP_MAX_MEMBER_BYTES = env_int("IMAGING_ZIP_MAX_MEMBER_BYTES", 4 * 1024**3)
IMAGING_ZIP_MAX_TOTAL_BYTES = env_int("IMAGING_ZIP_MAX_TOTAL_BYTES", 8 * 1024**3)
IMAGING_ZIP_MAX_RATIO = env_int("IMAGING_ZIP_MAX_RATIO", 100)
# Response imports (CSV): run as a queued job; a file over either limit is refused at upload.
RESPONSE_IMPORT_MAX_ROWS = env_int("RESPONSE_IMPORT_MAX_ROWS", 5000)
RESPONSE_IMPORT_MAX_FIELD_CHARS = env_int("RESPONSE_IMPORT_MAX_FIELD_CHARS", 65536)
if not 1 <= RESPONSE_IMPORT_MAX_FIELD_CHARS <= 131072:  # the csv module refuses longer fields anyway
    raise ImproperlyConfigured("RESPONSE_IMPORT_MAX_FIELD_CHARS must be between 1 and 131072.")
for _name in (
    "RESPONSE_IMPORT_MAX_ROWS",
    "IMAGING_ZIP_MAX_MEMBERS",
    "IMAGING_ZIP_MAX_MEMBER_BYTES",
    "IMAGING_ZIP_MAX_TOTAL_BYTES",
    "IMAGING_ZIP_MAX_RATIO",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")
# Uploaded, staged and exported files: the local folder MEDIA_ROOT unless a bucket is named; then S3-compatible
# object storage (AWS S3, MinIO, Ceph, OSS...), which every web and worker machine sees alike (core/storage.py).
STORAGE_S3_BUCKET = env_str("STORAGE_S3_BUCKET")
_S3_OPTIONS = {
    "bucket_name": STORAGE_S3_BUCKET,
    "endpoint_url": env_str("STORAGE_S3_ENDPOINT_URL"),
    "region_name": env_str("STORAGE_S3_REGION"),
    "access_key": env_str("STORAGE_S3_ACCESS_KEY_ID"),  # unset: boto3's own chain (instance role, ~/.aws)
    "secret_key": env_str("STORAGE_S3_SECRET_ACCESS_KEY"),
    "location": env_str("STORAGE_S3_PREFIX", ""),
    "default_acl": None,  # the bucket's own policy: private; files are never served by URL
    "querystring_auth": True,
    # As on the local folder: a name already taken gets a suffix (two parallel jobs storing the same bytes
    # must not overwrite each other's copy before the checksum constraint refuses the second row).
    "file_overwrite": False,
    "addressing_style": env_str("STORAGE_S3_ADDRESSING_STYLE"),  # "path" for MinIO and most local servers
}
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _S3_OPTIONS}
        if STORAGE_S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security headers (checked by manage.py check --deploy) ------------------
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from the product's own static files (no inline handlers or styles; see static/js).
CONTENT_SECURITY_POLICY = env_str(
    "DJANGO_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
)

# --- E-mail (unblinding and safety notifications) -----------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "edc@localhost")

# --- Participant surveys (surveys app, docs/surveys.md) ------------------------
# Requests to survey pages per client address per minute, and refused tokens per address per hour, before every
# survey page answers the same plain page (429) to that address.
SURVEY_REQUESTS_PER_MINUTE = env_int("SURVEY_REQUESTS_PER_MINUTE", 120)
SURVEY_REFUSALS_PER_HOUR = env_int("SURVEY_REFUSALS_PER_HOUR", 20)
# A reminder claimed by a worker that died before sending it is sent by a later run after this many seconds.
SURVEY_REMINDER_LEASE_SECONDS = env_int("SURVEY_REMINDER_LEASE_SECONDS", 600)
# Reminders are sent only between these hours of the server's time zone (quiet hours outside).
SURVEY_REMINDER_HOURS = env_list("SURVEY_REMINDER_HOURS", ["8", "20"])
if len(SURVEY_REMINDER_HOURS) != 2 or not all(h.isdigit() and 0 <= int(h) <= 24 for h in SURVEY_REMINDER_HOURS):
    raise ImproperlyConfigured("SURVEY_REMINDER_HOURS must be two hours from 0 to 24, e.g. 8,20.")
# The participant portal (sign-in by a one-time e-mail code): how long a code lives, how many tries it allows, and
# how long a signed-in portal session lasts.
SURVEY_PORTAL_CODE_SECONDS = env_int("SURVEY_PORTAL_CODE_SECONDS", 600)
SURVEY_PORTAL_CODE_ATTEMPTS = env_int("SURVEY_PORTAL_CODE_ATTEMPTS", 5)
SURVEY_PORTAL_SESSION_SECONDS = env_int("SURVEY_PORTAL_SESSION_SECONDS", 900)
# The SMS provider: a dotted path to a class with send(*, to, text) (surveys/delivery.py; the default logs).
SURVEY_SMS_BACKEND = env_str("SURVEY_SMS_BACKEND", "surveys.delivery.ConsoleSmsBackend")

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
# Embedded default: no broker means tasks run in-process, synchronously.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 900)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}  # redelivery
# core.beat.SingleBeatScheduler: a beat that has not renewed its lease for this long is replaced by a standby one.
BEAT_LOCK_SECONDS = env_int("BEAT_LOCK_SECONDS", 90)
if BEAT_LOCK_SECONDS < 10:
    raise ImproperlyConfigured("BEAT_LOCK_SECONDS must be 10 or more.")

# --- UI and API ---------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with a nesting limit (core/parsers.py); forms and multipart as DRF's defaults.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Per API token (api/throttling.py), in Django's cache: a script past the rate gets a 429 with Retry-After.
    "DEFAULT_THROTTLE_RATES": {"api_token": env_str("API_TOKEN_RATE", "600/minute")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "LBPB EDC API",
    "DESCRIPTION": "REST API v1: send `Authorization: Token <token>` (a token is made on the account page).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # Swagger UI from our own static files (drf-spectacular-sidecar), so the CSP's 'self' holds.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "PREPROCESSING_HOOKS": ["api.schema.only_v1"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.error_responses"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
