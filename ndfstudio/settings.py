"""Settings of ndfstudio, all read from the environment (and an optional .env file)."""

from datetime import timedelta
from pathlib import Path

import environ

from .log_files import logging_config
from .secret_key import secret_key_load

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# Without SECRET_KEY, this install makes its own random key on first run and keeps it, owner-only, in
# SECRET_KEY_FILE (untracked); no install ever signs with a key from the repository. `check --deploy` says so.
SECRET_KEY_FILE = Path(env.str("SECRET_KEY_FILE", default=str(BASE_DIR / ".secret_key")))
SECRET_KEY_FROM_FILE = not env.str("SECRET_KEY", default="")
SECRET_KEY = secret_key_load(SECRET_KEY_FILE) if SECRET_KEY_FROM_FILE else env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "activity",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "activity.middleware.ActivityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.LoginSessionMiddleware",  # the cookie path obeys the same idle rule, before the view
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ndfstudio.urls"
WSGI_APPLICATION = "ndfstudio.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Keep connections between requests (SQLite too: a new connection would rerun its PRAGMAs every request).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; the busy timeout makes concurrent writers wait instead
    # of failing with "database is locked"; IMMEDIATE takes the write lock up front in transactions.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # A 64 MB page cache per connection keeps the log's indexes in memory as they grow to millions of rows.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)  # a server that restarted is reconnected to

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "ndfstudio.redis_cache.ReusedClientRedisCache",  # Django's, minus a client per call
            "LOCATION": REDIS_URL,
            # Several deployments (or test runs) may share one Redis: each keeps its own prefix.
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ndf"),
            # A Redis that hangs must not hang requests: fail fast and fall back to the database.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ndfstudio"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from the finders; an absent root only makes it warn
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the finders so `make run` needs no collectstatic step, DEBUG or not.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/api/auth/me"  # the browsable API's sign-in (/api-auth/login/) without a `next`

# --- the inactivity policy and the tokens -------------------------------------------------------

INACTIVITY_THRESHOLD = timedelta(minutes=env.float("INACTIVITY_THRESHOLD_MINUTES", default=20))
MAX_TOKEN_LIFETIME = timedelta(minutes=env.float("MAX_TOKEN_LIFETIME_MINUTES", default=60))
SESSION_MAX_AGE = timedelta(hours=env.float("SESSION_MAX_HOURS", default=12))
# A Django session (admin, browsable API) lives no longer than a login session; its login session ends it sooner.
SESSION_COOKIE_AGE = int(SESSION_MAX_AGE.total_seconds())

ACCOUNTS = {
    "INACTIVITY_THRESHOLD": INACTIVITY_THRESHOLD,
    "INACTIVITY_MIN": timedelta(minutes=env.float("INACTIVITY_MIN_MINUTES", default=1)),
    "INACTIVITY_MAX": timedelta(minutes=env.float("INACTIVITY_MAX_MINUTES", default=60)),
    "INACTIVITY_BASED_EXPIRATION": env.bool("INACTIVITY_BASED_EXPIRATION", default=True),
    "SESSION_MAX_AGE": SESSION_MAX_AGE,
    "SESSION_RECOVERY": timedelta(minutes=env.float("SESSION_RECOVERY_MINUTES", default=60)),
    "WARNING_SECONDS": env.int("INACTIVITY_WARNING_SECONDS", default=120),
    # How often the web UI polls its (passive) endpoints; served by /api/auth/config.
    "TOKEN_CHECK_INTERVAL_SECONDS": env.int("TOKEN_CHECK_INTERVAL_SECONDS", default=30),
    "ACTIVITY_CHECK_INTERVAL_SECONDS": env.int("ACTIVITY_CHECK_INTERVAL_SECONDS", default=120),
    "ACCEPT_LEGACY_TOKENS": env.bool("ACCEPT_LEGACY_TOKENS", default=True),
    "REFRESH_COOKIE_SECURE": SECURE_COOKIES,
    # A session's activity is recorded at most this often per process, so decisions may come this much late.
    "CLOCK_RESOLUTION_SECONDS": min(1.0, INACTIVITY_THRESHOLD.total_seconds() / 20),
}

ACTIVITY = {
    # Activity types and their idle windows (activity/types.py); the default is `read` and `write`.
    **({"TYPES": tuple(env.json("ACTIVITY_TYPES"))} if env.str("ACTIVITY_TYPES", default="") else {}),
    # AUDIT rows are inserted in batches at least this often (seconds); 0 writes each within its request.
    "AUDIT_FLUSH_INTERVAL_SECONDS": env.float("AUDIT_FLUSH_INTERVAL_SECONDS", default=0.1),
    "RETENTION_DAYS": env.int("ACTIVITY_LOG_RETENTION_DAYS", default=90),
    "EXCLUDED_PATHS": tuple(p.strip() for p in env.list("ACTIVITY_EXCLUDED_PATHS", default=[]) if p.strip()),
    # More query-parameter names to redact in logs, beside the built-in list (activity/conf.py).
    "EXTRA_SENSITIVE_QUERY_PARAMS": tuple(p.strip() for p in env.list("LOG_REDACT_PARAMS", default=[]) if p.strip()),
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": MAX_TOKEN_LIFETIME,
    # A refresh token never outlives its login session; the session caps it further.
    "REFRESH_TOKEN_LIFETIME": SESSION_MAX_AGE,
    "ROTATE_REFRESH_TOKENS": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default="") or SECRET_KEY,
    "AUDIENCE": "ndfstudio",
    "USER_ID_CLAIM": "sub",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "AUTH_TOKEN_CLASSES": ("accounts.tokens.SessionAccessToken",),
    "TOKEN_OBTAIN_SERIALIZER": "accounts.serializers.LoginSerializer",
    "TOKEN_REFRESH_SERIALIZER": "accounts.serializers.RefreshSerializer",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.InactivityJWTAuthentication",
        # The admin's and the browsable API's cookie (CSRF enforced), checked by accounts.middleware first.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "ndfstudio.schema.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": "ndfstudio.exceptions.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "ndfstudio.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {
        # Failed logins only; successful ones never count.
        # Failures are counted per source, per username from one source, and per username across sources
        # (accounts/throttling.py): the owner still signs in from a source that has not failed.
        "login_username": env.str("LOGIN_FAILURES_PER_USERNAME", default="5/min"),
        "login_ip": env.str("LOGIN_FAILURES_PER_IP", default="30/min"),
        "login_username_all_sources": env.str("LOGIN_FAILURES_PER_USERNAME_ALL_SOURCES", default="20/min"),
    },
    # 0: trust REMOTE_ADDR only, so a client cannot dodge throttles with a forged X-Forwarded-For.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ndfstudio API",
    "DESCRIPTION": "JWT sessions that expire by inactivity, with an activity log.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],  # the schema and docs are public; a stale bearer token must not 401 them
    # Swagger UI from our own static files: works offline and under a strict Content-Security-Policy.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- logging: console plus a size-bounded rotating file under logs/ ------------------------------

LOG_DIR = Path(env.str("LOG_DIR", default=str(BASE_DIR / "logs")))
LOG_DIR.mkdir(parents=True, exist_ok=True)
LOGGING = logging_config(LOG_DIR, level=env.str("LOG_LEVEL", default="INFO"))
