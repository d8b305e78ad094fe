"""Settings for the Stockholmsjobb case management system.

One module for every environment: production differs from development only by
environment variables. With no environment at all the project runs on the
embedded default (SQLite under var/, Celery tasks eager, e-mail to the
console); with DATABASE_URL and CELERY_BROKER_URL it runs on PostgreSQL,
Redis and a real Celery worker.
"""

from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The development key only works while it is recognisably insecure:
# `manage.py check --deploy` rejects it, and the web server refuses to serve
# with it unless DEBUG is on (stockholmsjobb.wsgi), so production must set SECRET_KEY.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-never-use-in-production"  # noqa: S105 - public on purpose
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "accounts",
    "participants",
    "placements",
    "followup",
    "casework",
    "reports",
    "audit",
    "survey",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RefuseUnusableQueriesMiddleware",
    "core.middleware.RefuseOversizedBodiesMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Keeps the request at hand for the access log and logs refused requests.
    "audit.middleware.AccessLogMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "accounts.middleware.HtmxLoginRedirectMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Password spraying: many usernames from one address (axes counts per username).
    "accounts.lockout.LoginAddressLimitMiddleware",
    # Last, as django-axes asks: it turns a flagged login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "stockholmsjobb.urls"
WSGI_APPLICATION = "stockholmsjobb.wsgi.application"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL in production: the role the application connects as, which owns
# nothing. Named when migrations run as the owner role, which then grants it
# the rows it needs, and on the access log INSERT and SELECT only (audit.database).
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and sessions ---------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# django-axes refuses a locked-out login before ModelBackend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Scripts never read the CSRF cookie: htmx takes the token from the page's meta tag.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# However active the user, a login lasts at most this long (accounts.middleware).
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=12))

# Two-factor authentication with TOTP (django-otp). The demo on the embedded
# default (DEBUG=true) skips it and says so on every page.
REQUIRE_2FA = env.bool("REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = "Stockholmsjobb"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Lockout (django-axes): 5 failed logins for one username from one client
# address lock that combination for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout are refused but do not extend it, so the time the
# lockout page promises holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.middleware.client_ip_address"
# Axes' log lines name no user, address or browser, and the form data it keeps
# for a failed attempt carries no password or CSRF token.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "user_agent", "csrfmiddlewaretoken"]
# Lockouts are lifted with `manage.py axes_reset_username`; the admin keeps to
# the programme's own models.
AXES_ENABLE_ADMIN = False
# No banner on every command's stderr: scripts read it for errors.
AXES_VERBOSE = False
# Beyond axes' per username and address: failed logins from one address, any
# usernames, within the cool-off time (password spraying) lock that address.
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
# The public survey page: requests per address and minute.
SURVEY_REQUESTS_PER_MINUTE = env.int("SURVEY_REQUESTS_PER_MINUTE", default=30)
# The access log records every login; axes keeps no second, lasting list of
# usernames and addresses (its attempts go with retention after the cool-off).
AXES_DISABLE_ACCESS_LOG = True

# --- Security headers (production runs behind TLS) ------------------------
# Usually the TLS-terminating proxy redirects; set true when Django faces clients.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating reverse proxy, the proxy's headers are trusted: the
# scheme, and the client address the outermost of PROXY_COUNT proxies appended
# to X-Forwarded-For (accounts.middleware.client_ip_address). Otherwise the
# header is ignored and REMOTE_ADDR is the client.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
PROXY_COUNT = env.int("PROXY_COUNT", default=1)
# The addresses (or networks) the proxy connects from: X-Forwarded-For is read
# only on a connection from one of them, so a client that reaches the app
# server directly cannot choose the address the login limits count.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1/32", "::1/128"])
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Everything the pages load is our own: no inline script or style, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files: all our own, served by WhiteNoise (no CDN) -------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# --- E-mail ---------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The address users reach the service at: printed survey links and e-mails point
# here. `check --deploy` refuses a local or plain-http address (core.checks).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="stockholmsjobb@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the accessibility statement (/accessibility/) tells people to report a
# shortcoming; each municipality's instance sets its own.
ACCESSIBILITY_CONTACT_EMAIL = env(
    "ACCESSIBILITY_CONTACT_EMAIL", default="tillganglighet@jobbtorg.example"
)

# --- Uploads --------------------------------------------------------------
# The largest file an upload form takes (SCB's extract, paper survey answers);
# core.forms refuses a larger one with a message, and a far larger request
# body before it is read. Django keeps uploads over 2.5 MB on disk, not in memory.
UPLOAD_MAX_MEGABYTES = env.int("UPLOAD_MAX_MEGABYTES", default=20)

# --- Celery ---------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process so the embedded default needs nothing.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task may run longer than this: a snapshot of the national data set takes
# seconds, retention of a backlog minutes. The soft limit lets a task clean up.
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
# Longer than the longest task (the hard limit above), so Redis does not hand
# a task that is still running to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 60 * 60}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_IMPORTS = ["stockholmsjobb.tasks"]
# Beat's schedule as crontab fields; core.celery makes them crontab schedules
# (importing Celery here would slow every command's start-up).
BEAT_SCHEDULE = {
    "open-followups-nightly": {
        "task": "followup.tasks.open_followups_task",
        "crontab": {"hour": 1, "minute": 30},
    },
    "outcome-snapshot-hourly": {
        "task": "reports.tasks.scheduled_snapshot_task",
        "crontab": {"minute": 5},
    },
    "followup-reminders-weekday-mornings": {
        "task": "followup.tasks.send_followup_reminders_task",
        "crontab": {"hour": 6, "minute": 30, "day_of_week": "mon-fri"},
    },
    # The access log's hash chain takes in the rows written since (audit.chain).
    "access-log-seal-every-minute": {
        "task": "audit.tasks.seal_access_log_task",
        "crontab": {"minute": "*"},
    },
    # Placement files uploaded on the desk and not confirmed within a day are deleted.
    "placement-imports-purge-hourly": {
        "task": "casework.tasks.purge_placement_imports_task",
        "crontab": {"minute": 20},
    },
    # Retention (gallring), at night when nobody is working on the cases.
    "retention-nightly": {
        "task": "privacy.tasks.retention_task",
        "crontab": {"hour": 2, "minute": 30},
    },
}

# --- Cache ----------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

# --- Logging: no personal data in log lines --------------------------------
# Error e-mails go to ADMINS ("Name <address>,..."); none when it is empty.
ADMINS = [parseaddr(entry.strip()) for entry in env.list("ADMINS", default=[])]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_personnummer": {"()": "stockholmsjobb.redaction.RedactPersonnummer"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_personnummer"]},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact_personnummer"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's own handlers for it; its records still reach "console".
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
    },
}
# What an error report (e-mail or debug page in production) may show.
DEFAULT_EXCEPTION_REPORTER = "stockholmsjobb.redaction.PersonalDataExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "stockholmsjobb.redaction.PersonalDataReporterFilter"

# --- The programme's own settings ------------------------------------------
# Months between a report period's end and the end of its placement window.
REPORT_PERIOD_LAG_MONTHS = env.int("REPORT_PERIOD_LAG_MONTHS", default=4)
# Breakdown cells with a denominator from 1 to this minus one are suppressed.
SMALL_CELL_THRESHOLD = env.int("SMALL_CELL_THRESHOLD", default=5)
# Retention (gallring): a participant is deleted, with their history and the log
# rows about them, this many years after the last entry in their case.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=5)
# Shown on every page when the database holds synthetic demo data.
DEMO_BANNER = env.bool("DEMO_BANNER", default="DATABASE_URL" not in env)
