"""Kabinet settings: one module, every knob read from the environment.

The defaults run locally (`make run`): DEBUG on, SQLite under var/, messages kept in the
database by the development SMS gateway and written to var/mail by the e-mail backend.
Production sets DEBUG=0 and a real SECRET_KEY; settings refuse to start otherwise.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("KABINET_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, got {value!r}")


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


def envsecret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/systemd credentials)."""
    path = os.getenv(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.getenv(name, default)


DEBUG = envbool("DEBUG", "1")

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = envsecret("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 32 characters when DEBUG is off."
    )

ALLOWED_HOSTS = [h.strip() for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
# The address residents see in SMS and e-mail ("enter the code on <page>").
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "kabinet.staff.apps.KabinetAdminConfig",  # Django's admin on the site with the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "captcha",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files as static files: the docs page needs no CDN
    "corsheaders",
    "kabinet.core",
    "kabinet.messaging",
    "kabinet.billing",
    "kabinet.residents",
    "kabinet.payments",
    "kabinet.meters",
    "kabinet.devices",
    "kabinet.gis",
    "kabinet.appeals",
    "kabinet.public",
    "kabinet.audit",
    "kabinet.staff",
    "kabinet.ops",
    "kabinet.api",
    "kabinet.demo",
]

MIDDLEWARE = [
    "kabinet.core.middleware.RequestLogMiddleware",  # first: every answer is logged, redirects too
    "kabinet.ops.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks; it answers only /api/ and only to the
    # origins KABINET_API_CORS_ORIGINS names (none by default: CORS closed).
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kabinet.core.middleware.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kabinet.core.middleware.ContentSecurityPolicyMiddleware",
]

if not DEBUG:
    # Static files with DEBUG off from the web nodes themselves (WhiteNoise: hashed names, gzip
    # and brotli, cached for a year), so a node works without nginx too; deploy/nginx serves
    # /static/ from STATIC_ROOT itself and never asks the nodes for them.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "kabinet.urls"
WSGI_APPLICATION = "kabinet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Templates that replace the admin's own (titles, counters, the start page): the
        # directories here are searched before the apps' ones.
        "DIRS": [BASE_DIR / "kabinet" / "core" / "admin_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # `{% url %}` reversing each address once per process (kabinet/core/templatetags/urls.py).
            "builtins": ["kabinet.core.templatetags.urls"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kabinet.core.context_processors.site",
                "kabinet.residents.cabinet.cabinet_frame",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kabinet.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
        # A kept connection is checked once per request before use, so a restarted PostgreSQL
        # costs a reconnect, not a server error; by a look at its socket, and by a `SELECT 1`
        # only when the server has said something (kabinet/core/postgresql).
        conn_health_checks=envbool("DATABASE_CONN_HEALTH_CHECKS", "1"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with kept connections checked by a look at their socket (kabinet/core/postgresql).
    DATABASES["default"]["ENGINE"] = "kabinet.core.postgresql"
    # Parameters bound by the server; and in the web processes (kabinet/wsgi.py marks them) a
    # statement asked for the `prepare_threshold`-th time on a kept connection is prepared: each
    # cabinet page's few queries are then not parsed and planned again per request (half of
    # PostgreSQL's time per page, bench/pages.py). Not in the workers and commands: an import
    # fills a table within one transaction, and a plan PostgreSQL keeps from when it was small
    # then scans it whole for every batch (100 000 accounts: 4 s became 210 s). A pooler in
    # transaction mode in front of PostgreSQL would need its own prepared-statement support
    # (PgBouncer's max_prepared_statements) or DATABASE_PREPARE_THRESHOLD=0 (off).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True}
    if os.environ.get("KABINET_WEB_PROCESS") == "1":  # set by kabinet/wsgi.py, not a setting
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = envint("DATABASE_PREPARE_THRESHOLD", 5) or None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to one file: wait for the lock instead of failing,
    # take it at BEGIN so two writers never deadlock, and let readers go on during a write.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests share the test database with a live server's threads and with worker processes
    # (delivery fault tests): an in-memory database cannot be shared that way, a file can. One
    # file per test run, so two runs in one checkout do not trample each other.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-kabinet-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and passwords --------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["kabinet.residents.auth.AccountNumberBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not the account number, the phone, or the name (registration, reset and profile alike).
    {"NAME": "kabinet.residents.validators.AccountDataSimilarityValidator"},
]
# A session unused this long ends (0: never); residents often sign in on shared devices.
RESIDENT_IDLE_MINUTES = envint("KABINET_RESIDENT_IDLE_MINUTES", 30)
STAFF_IDLE_MINUTES = envint("KABINET_STAFF_IDLE_MINUTES", 60)
LOGIN_URL = "residents:login"
LOGIN_REDIRECT_URL = "residents:cabinet"
LOGOUT_REDIRECT_URL = "public:home"

# Staff who can see personal data confirm the back-office sign-in with a TOTP app
# (kabinet.staff). KABINET_DEMO_STAFF_WITHOUT_2FA=1 lets `make run`'s demo users (operator,
# admin) in without it; only with DEBUG on.
OTP_TOTP_ISSUER = os.getenv("KABINET_OTP_ISSUER", "Кабинет жителя")
# Wrong codes are limited by the guard (RATE_LIMITS["otp_user"]), which says so and when to
# retry. django-otp's own growing delay would refuse the right code typed a second after a wrong
# one with the same «код не подошёл»: it is turned off.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
STAFF_2FA_DEMO_USERNAMES = ["operator", "admin"] if envbool("KABINET_DEMO_STAFF_WITHOUT_2FA", "0") else []
if STAFF_2FA_DEMO_USERNAMES and not DEBUG:
    raise ImproperlyConfigured(
        "KABINET_DEMO_STAFF_WITHOUT_2FA is for the demo of `make run` only: turn it off when DEBUG is off."
    )

# --- Language and time ----------------------------------------------------------------------
# One language: every request is in LANGUAGE_CODE without LocaleMiddleware (which would only
# read Accept-Language to choose among one, and add Content-Language and Vary to every answer).
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = os.getenv("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True
# Corrections to Django's Russian: back-office sentences (kabinet/core/locale) and date formats.
LOCALE_PATHS = [BASE_DIR / "kabinet" / "core" / "locale"]
FORMAT_MODULE_PATH = ["kabinet.core.format_modules"]

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
# With DEBUG off: `manage.py collectstatic` writes hashed, compressed copies (WhiteNoise), so a
# browser may keep them forever and an upgrade never shows an old stylesheet. Development and
# tests serve the sources as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", VAR_DIR / "media"))

# --- CAPTCHA --------------------------------------------------------------------------------
CAPTCHA_CHALLENGE_FUNCT = "kabinet.residents.captcha.digits_challenge"
CAPTCHA_LENGTH = 5
CAPTCHA_FONT_SIZE = 34
CAPTCHA_IMAGE_SIZE = (180, 60)
CAPTCHA_LETTER_ROTATION = (-20, 20)
CAPTCHA_TIMEOUT = 30  # minutes: an elderly resident may fill the form slowly
CAPTCHA_2X_IMAGE = True
# Lets people and demo scripts type PASSED instead of reading the picture. Only for
# development: with DEBUG off the flag stops the server from starting.
CAPTCHA_TEST_MODE = envbool("KABINET_CAPTCHA_TEST_MODE", "0")
if CAPTCHA_TEST_MODE and not DEBUG:
    raise ImproperlyConfigured(
        "KABINET_CAPTCHA_TEST_MODE is for development only: turn it off when DEBUG is off."
    )

# --- Registration ---------------------------------------------------------------------------
REGISTRATION_CODE_TTL_HOURS = envint("KABINET_REGISTRATION_CODE_TTL_HOURS", 72)
REGISTRATION_CODE_MAX_ATTEMPTS = envint("KABINET_CODE_MAX_ATTEMPTS", 5)
REGISTRATION_CODE_RESEND_SECONDS = envint("KABINET_CODE_RESEND_SECONDS", 60)
# The seed promises an answer within three days; older requests stand out in the queue.
REGISTRATION_REVIEW_LIMIT_HOURS = envint("KABINET_REVIEW_LIMIT_HOURS", 72)

# --- Personal data lifetime (152-ФЗ; kabinet/ops/retention.py, manage.py purge_personal_data) --
# Rejected and never-confirmed registration requests are anonymised after this many days.
PD_RETENTION_DAYS = envint("KABINET_PD_RETENTION_DAYS", 90)
# The text and address of sent SMS and e-mail are removed after this many days (codes at once).
OUTBOX_KEEP_DAYS = envint("KABINET_OUTBOX_KEEP_DAYS", 90)
# Files on disk hold the residents' ФИО, addresses and sums; the billing worker deletes them
# (hourly) when these many days have passed, and their rows say so. ГИС ЖКХ's exports: after
# they were written (sent to ГИС ЖКХ within days; a new one can be asked for at any time).
EXPORT_KEEP_DAYS = envint("KABINET_EXPORT_KEEP_DAYS", 30)
# Uploaded billing files: after their import ended (the books hold what they said), or after the
# upload for one still waiting for its columns. Queued and running imports keep theirs.
IMPORT_UPLOAD_KEEP_DAYS = envint("KABINET_IMPORT_UPLOAD_KEEP_DAYS", 30)

# --- Messages: SMS and e-mail ---------------------------------------------------------------
SMS_GATEWAY = os.getenv("SMS_GATEWAY", "dev")  # dev | kannel | smsru (kabinet.messaging.gateways)
SMS_SENDER = os.getenv("SMS_SENDER", "Kabinet")
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_POLL_SECONDS = envint("OUTBOX_POLL_SECONDS", 1)

EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "kabinet@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Delivery: gateways and the outbox worker (docs/messaging.md) ---------------------------
if SMS_GATEWAY not in ("dev", "kannel", "smsru") and "." not in SMS_GATEWAY:
    raise ImproperlyConfigured(f"SMS_GATEWAY must be dev, kannel or smsru, got {SMS_GATEWAY!r}")
SMS_TIMEOUT = envint("SMS_TIMEOUT", 15)  # seconds to wait for an SMS gateway's answer
OUTBOX_RETRY_SECONDS = envint("OUTBOX_RETRY_SECONDS", 10)  # first pause; doubles up to an hour
# How long a worker owns a message it is sending; a worker that dies gives it back after this.
# Must be longer than SMS_TIMEOUT and EMAIL_TIMEOUT.
OUTBOX_CLAIM_SECONDS = envint("OUTBOX_CLAIM_SECONDS", 300)
if max(SMS_TIMEOUT, EMAIL_TIMEOUT) >= OUTBOX_CLAIM_SECONDS:
    # Otherwise a second worker could take a message the first is still sending: a duplicate.
    raise ImproperlyConfigured("OUTBOX_CLAIM_SECONDS must be longer than SMS_TIMEOUT and EMAIL_TIMEOUT.")
KANNEL_SENDSMS_URL = os.getenv("KANNEL_SENDSMS_URL", "http://127.0.0.1:13013/cgi-bin/sendsms")
KANNEL_USERNAME = os.getenv("KANNEL_USERNAME", "kabinet")
KANNEL_PASSWORD = envsecret("KANNEL_PASSWORD")
KANNEL_SMSC = os.getenv("KANNEL_SMSC", "")  # route through this smsc-id; empty: Kannel decides
# The secret part of the delivery-report address; empty: no reports are asked for.
KANNEL_DLR_TOKEN = envsecret("KANNEL_DLR_TOKEN")
# How Kannel reaches Kabinet, if not through SITE_URL (e.g. an internal address).
KANNEL_DLR_BASE_URL = os.getenv("KANNEL_DLR_BASE_URL", "").rstrip("/")
SMSRU_URL = os.getenv("SMSRU_URL", "https://sms.ru").rstrip("/")
SMSRU_API_ID = envsecret("SMSRU_API_ID")
SMSRU_FROM = os.getenv("SMSRU_FROM", "")  # a sender name approved by SMS.ru; empty: theirs

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
# The site's page «Форма устарела» (kabinet.core.views), JSON under /api/ (kabinet/api/errors.py).
CSRF_FAILURE_VIEW = "kabinet.api.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    # Health and metrics are asked of each node directly over loopback HTTP (nginx, monitoring).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logs, errors, health, metrics (kabinet.core.logs, kabinet.ops; docs/deploy.md) ----------
# json: one JSON object per line with the request or job id, secrets and phones redacted (for
# journald and a log collector); text: for a person at a terminal.
LOG_FORMAT = os.getenv("KABINET_LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"KABINET_LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "kabinet.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per request comes from kabinet.requests; Django's own would repeat it.
        "django.server": {"level": "WARNING"},
        # A request line per page is for production logs; `make run` has runserver's own.
        "kabinet.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}
# Errors to Sentry or a compatible service (GlitchTip, Bugsink) when a DSN is given. No personal
# data is sent: no cookies, no user, no request body; phones in messages are masked.
SENTRY_DSN = envsecret("SENTRY_DSN")
if SENTRY_DSN:
    from kabinet.core.logs import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=os.getenv("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.getenv("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )
# /readyz: the kinds of workers whose heartbeat must be younger than the limit (seconds).
_READY = os.getenv("KABINET_READY_WORKERS", "outbox,billing")
READY_WORKERS = [kind.strip() for kind in _READY.split(",") if kind.strip()]
HEARTBEAT_MAX_AGE_SECONDS = envint("KABINET_HEARTBEAT_MAX_AGE_SECONDS", 120)
# /metrics answers only these networks (the address as kabinet.core.clientip reads it) or the
# bearer token; everyone else gets 404.
_METRICS_IPS = os.getenv("KABINET_METRICS_ALLOWED_IPS", "127.0.0.1/32,::1/128")
METRICS_ALLOWED_IPS = [n.strip() for n in _METRICS_IPS.split(",") if n.strip()]
METRICS_TOKEN = envsecret("KABINET_METRICS_TOKEN")

FORM_RENDERER = "kabinet.core.forms.KabinetFormRenderer"

# --- Appeals (обращения) --------------------------------------------------------------------
# Residents' attachments are personal data: kept outside MEDIA_ROOT and the static files, and
# served only through a view that checks who asks (kabinet/appeals/views.py).
APPEALS_FILES_DIR = Path(os.getenv("KABINET_APPEALS_FILES_DIR", VAR_DIR / "private" / "appeals"))
# Behind nginx: the internal location that serves APPEALS_FILES_DIR (deploy/nginx/kabinet.conf,
# "/_private/appeals/"). Django checks who asks, nginx sends the file. Empty: Django sends it.
X_ACCEL_PREFIX = os.getenv("KABINET_X_ACCEL_PREFIX", "")
if X_ACCEL_PREFIX and not (X_ACCEL_PREFIX.startswith("/") and X_ACCEL_PREFIX.endswith("/")):
    raise ImproperlyConfigured("KABINET_X_ACCEL_PREFIX must start and end with /, e.g. /_private/appeals/")
APPEALS_MAX_FILES = envint("KABINET_APPEALS_MAX_FILES", 5)
APPEALS_MAX_FILE_MB = envint("KABINET_APPEALS_MAX_FILE_MB", 10)
# Against floods from one cabinet: how many appeals a resident may send within an hour.
APPEALS_PER_HOUR = envint("KABINET_APPEALS_PER_HOUR", 5)
# And how many messages (answers to the company, photos added later) within an hour.
APPEAL_MESSAGES_PER_HOUR = envint("KABINET_APPEAL_MESSAGES_PER_HOUR", 20)
# An appeal without an operator's answer after this many days stands out in the inbox; a
# category may set its own term (Обращения → Категории обращений → «срок ответа, дней»).
APPEALS_ANSWER_LIMIT_DAYS = envint("KABINET_APPEALS_ANSWER_LIMIT_DAYS", 10)
# --- Cache and rate limits -------------------------------------------------------------------
# Rate-limit counters live in a cache every web process shares: the database by default
# (`manage.py createcachetable`, run by `make run` and by the test database setup), Redis when
# REDIS_URL is set.
REDIS_URL = os.getenv("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "kabinet.core.cache.RedisCache"
        if REDIS_URL
        else "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": REDIS_URL or "kabinet_cache",
        "KEY_PREFIX": os.getenv("CACHE_KEY_PREFIX", "kabinet"),
        # A Redis that hangs must not hang every page: give up after a second (a miss).
        **({"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}} if REDIS_URL else {}),
    }
}
# With Redis, a session is read from the cache and the database is only written to (log-in,
# log-out, a change): logout still ends it in both. Without Redis the cache is the database,
# so the sessions stay plainly in the database.
if REDIS_URL:
    # Sessions in the database, read through Redis; while Redis is away they come from the
    # database alone (kabinet.core.cache turns its calls into misses).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Cabinet pages kept as rendered in the shared cache until what they show changes
# (kabinet.core.keptpages). Off: every page is made afresh — to rule them out when a page looks
# stale, and for bench/pages.py's «made afresh» figures.
KEEP_PAGES = envbool("KABINET_KEEP_PAGES", "1")

# Rate-limit counters (kabinet.core.counters) never live in the general cache, which drops
# entries when it fills: in Redis (RATE_LIMIT_REDIS_URL, REDIS_URL by default; the Redis must
# not evict keys: `maxmemory-policy noeviction`), else in their own database table.
RATE_LIMIT_REDIS_URL = os.getenv("RATE_LIMIT_REDIS_URL", REDIS_URL)
RATE_LIMIT_KEY_PREFIX = os.getenv("CACHE_KEY_PREFIX", "kabinet") + ":rl"

# The reverse proxies whose X-Forwarded-For is believed (kabinet.core.clientip): networks such
# as "127.0.0.1/32,10.0.0.0/8". Empty: the header is ignored and REMOTE_ADDR is the visitor.
TRUSTED_PROXIES = [p.strip() for p in os.getenv("KABINET_TRUSTED_PROXIES", "").split(",") if p.strip()]

# Each limit: at most COUNT events per WINDOW seconds; the refusal says when to try again.
_LOCKOUT = envint("KABINET_LOGIN_LOCKOUT_SECONDS", 900)
_DEVICE_WINDOW = envint("KABINET_DEVICE_WINDOW_SECONDS", 3600)
RATE_LIMITS = {
    # Log-in attempts that failed: per login as typed, per cabinet or member of staff (all their
    # account numbers and the phone together), per IP. Counted before the password is checked.
    "login_account": (envint("KABINET_LOGIN_FAILURES_PER_ACCOUNT", 5), _LOCKOUT),
    "login_holder": (envint("KABINET_LOGIN_FAILURES_PER_ACCOUNT", 5), _LOCKOUT),
    "login_ip": (envint("KABINET_LOGIN_FAILURES_PER_IP", 20), _LOCKOUT),
    # Every action that sends an SMS: registration, a new code, password reset, phone change.
    "sms_phone": (envint("KABINET_SMS_PER_PHONE", 5), envint("KABINET_SMS_WINDOW_SECONDS", 3600)),
    "sms_account": (envint("KABINET_SMS_PER_ACCOUNT", 5), envint("KABINET_SMS_WINDOW_SECONDS", 3600)),
    "sms_ip": (envint("KABINET_SMS_PER_IP", 20), envint("KABINET_SMS_WINDOW_SECONDS", 3600)),
    # Registration forms sent with a solved CAPTCHA (the form tells whether an account is taken).
    "register_ip": (envint("KABINET_REGISTRATIONS_PER_IP", 20), envint("KABINET_SMS_WINDOW_SECONDS", 3600)),
    # Requests to add a further account sent from one cabinet (each checks a number and a name).
    "account_cabinet": (
        envint("KABINET_ACCOUNT_REQUESTS_PER_CABINET", 5),
        envint("KABINET_SMS_WINDOW_SECONDS", 3600),
    ),
    # Second-factor codes of one member of staff (django-otp also slows down wrong ones).
    "otp_user": (envint("KABINET_OTP_FAILURES", 5), _LOCKOUT),
    # Code guesses from one IP across all codes (each code also allows only 5 attempts).
    "code_ip": (envint("KABINET_CODE_GUESSES_PER_IP", 30), envint("KABINET_CODE_GUESS_WINDOW_SECONDS", 3600)),
    # Posts to a waterius's address (kabinet/devices). A device posts once a day (three tries at
    # most); an owner may set it to wake every minute: 60 an hour, so 120 per address never
    # refuses one. Per IP: every post (many flats' devices may share one IP behind a provider's
    # NAT), and the posts whose key no device has (someone guessing keys).
    "device_token": (envint("KABINET_DEVICE_POSTS_PER_DEVICE", 120), _DEVICE_WINDOW),
    "device_ip": (envint("KABINET_DEVICE_POSTS_PER_IP", 600), _DEVICE_WINDOW),
    "device_ip_failures": (envint("KABINET_DEVICE_FAILURES_PER_IP", 20), _DEVICE_WINDOW),
}
# The whole site's SMS per calendar day (TIME_ZONE) against SMS pumping; 0 turns the cap off.
SMS_DAILY_CAP = envint("KABINET_SMS_DAILY_CAP", 500)
# Who hears that the cap was reached (once a day): "a@x.ru,b@y.ru"; ADMINS when empty.
ADMINS = [("Администратор", a.strip()) for a in os.getenv("ADMINS", "").split(",") if a.strip()]
SMS_CAP_ALERT_EMAILS = [
    a.strip() for a in os.getenv("KABINET_SMS_CAP_ALERT_EMAILS", "").split(",") if a.strip()
]
PASSWORD_RESET_CODE_TTL_MINUTES = envint("KABINET_RESET_CODE_TTL_MINUTES", 10)
PHONE_CODE_TTL_MINUTES = envint("KABINET_PHONE_CODE_TTL_MINUTES", 10)

# No form-action: paying redirects the browser from our form to the payment provider's page.
CONTENT_SECURITY_POLICY = os.getenv(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
)

# --- Billing: charges, payments, imports ----------------------------------------------------
# Uploaded billing files wait here for the worker: under VAR_DIR, never served by the web server.
BILLING_IMPORT_DIR = Path(os.getenv("KABINET_BILLING_IMPORT_DIR", VAR_DIR / "imports"))
BILLING_IMPORT_POLL_SECONDS = envint("KABINET_BILLING_IMPORT_POLL_SECONDS", 2)
# A job still «загружается» after this long lost its worker: it goes back to the queue.
BILLING_IMPORT_LEASE_MINUTES = envint("KABINET_BILLING_IMPORT_LEASE_MINUTES", 60)
# Payment documents (квитанции, PDF) are made once per account and month and kept here until what
# they show changes; the setting keeps its first name, which deployments already set:
# personal data, never served by the web server directly (kabinet/billing/payment_documents/).
BILLING_RECEIPTS_DIR = Path(os.getenv("KABINET_BILLING_RECEIPTS_DIR", VAR_DIR / "private" / "receipts"))

# --- Online payments (kabinet.payments) -----------------------------------------------------
# dev: a confirmation page inside Kabinet («Оплатить» / «Отказаться»), for `make run` only.
PAYMENT_PROVIDER = os.getenv("PAYMENT_PROVIDER", "dev" if DEBUG else "yookassa")
if PAYMENT_PROVIDER not in ("dev", "yookassa"):
    raise ImproperlyConfigured(f"PAYMENT_PROVIDER must be dev or yookassa, got {PAYMENT_PROVIDER!r}")
if PAYMENT_PROVIDER == "dev" and not DEBUG:
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=dev is for development only: use yookassa when DEBUG is off."
    )
YOOKASSA_SHOP_ID = os.getenv("YOOKASSA_SHOP_ID", "")
YOOKASSA_SECRET_KEY = envsecret("YOOKASSA_SECRET_KEY")
YOOKASSA_API_URL = os.getenv("YOOKASSA_API_URL", "https://api.yookassa.ru/v3")
# Limits of one online payment, roubles.
PAYMENT_MIN_AMOUNT = os.getenv("PAYMENT_MIN_AMOUNT", "1.00")
PAYMENT_MAX_AMOUNT = os.getenv("PAYMENT_MAX_AMOUNT", "300000.00")

# --- The API for apps and residents' scripts (kabinet.api, docs/api.md) ----------------------
# The key of the keyed hash (HMAC-SHA256) under which app tokens are stored: only the hash is
# kept, so a copy of the database gives no working token. Empty: derived from SECRET_KEY.
# Changing it (or SECRET_KEY, when empty) signs every app out.
API_TOKEN_KEY = envsecret("KABINET_API_TOKEN_KEY")
# Tokens a resident may hold at once (apps and scripts); the oldest unused goes when exceeded.
API_TOKENS_PER_RESIDENT = envint("KABINET_API_TOKENS_PER_RESIDENT", 20)
# Browsers on these origins may call the API (CORS): "https://app.example.ru,https://x.ru".
# Empty: no origin may; apps and scripts outside a browser are not concerned.
CORS_ALLOWED_ORIGINS = [o.strip() for o in os.getenv("KABINET_API_CORS_ORIGINS", "").split(",") if o.strip()]
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False  # tokens travel in the Authorization header, never in cookies
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["kabinet.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["kabinet.api.authentication.IsResident"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "kabinet.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
    "URL_FORMAT_OVERRIDE": None,  # the answer's type is the endpoint's, not a ?format= choice
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Кабинет жителя: API",
    "DESCRIPTION": "API личного кабинета жителя для мобильного приложения, домашней автоматизации "
    "и скриптов жителей. Описание для разработчиков: docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "TAGS": [
        {"name": n}
        for n in ("Вход", "Обзор", "Показания", "Начисления", "Квитанции", "Оплата", "Обращения", "Новости")
    ]
    + [{"name": "Профиль"}],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {},
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}
