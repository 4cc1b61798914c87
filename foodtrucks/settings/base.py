"""Settings shared by every environment, read from environment variables.

With nothing set, the embedded defaults apply: an embedded PostgreSQL (local.py), local file
storage, local-memory cache and Celery tasks run in-process. DATABASE_URL, REDIS_URL and the AWS_*
variables switch to a PostgreSQL server, Redis (cache and broker) and S3 (or any S3-compatible
endpoint). DATABASES itself is set by each settings module (local, test, production) with _databases().
"""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

# --- core ---------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-embedded-default-key-change-me-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "vendors",
    "trucks",
    "consumers",
    "ratings",
    "analytics",
    "live",
    "notifications",
    # The interfaces above the domains, and the demo data above everything (docs/architecture.md).
    "api",
    "portal",
    "demo",
    # Operations (docs/operations.md): brute-force lockout and the Content-Security-Policy header.
    "axes",
    "csp",
]

MIDDLEWARE = [
    "foodtrucks.middleware.RequestIdMiddleware",
    "foodtrucks.middleware.PrivateApiAnswersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "foodtrucks.csp_middleware.CSPMiddleware",
    "foodtrucks.middleware.RequestSizeLimitMiddleware",
    "foodtrucks.middleware.JsonBodyMiddleware",
    "foodtrucks.middleware.ServiceUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "foodtrucks.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Pushpin (GRIP): tells a stream answer signed by the proxy apart, and turns its instructions into headers.
    "django_grip.GripMiddleware",
    # Last: turns a lockout found during authenticate() into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "foodtrucks.urls"
WSGI_APPLICATION = "foodtrucks.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:login"

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

# --- database -------------------------------------------------------------------------------
# PostgreSQL everywhere. DATABASE_URL names it; without it local.py starts an embedded server
# (foodtrucks/embedded_db.py), test.py uses the one on 127.0.0.1 and production refuses to start.
# A PostgreSQL read replica: reads go there, writes and transactions stay on the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")


# "pgbouncer" when DATABASE_URL (and the replica's) name a PgBouncer in transaction mode: a server
# connection serves one transaction of one client, then another client's. So no state may outlive a
# transaction: no server-side cursors (a named cursor lives in its connection), no prepared statements
# (psycopg prepares a query run 5 times, on a server connection the next query may not get). The app
# keeps no other session state: the roll-up's lock and settings are transaction-scoped (docs/pgbouncer.md).
DATABASE_POOLER = env("DATABASE_POOLER", default="")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured(f"DATABASE_POOLER must be empty or 'pgbouncer', not {DATABASE_POOLER!r}.")


def _behind_pooler(database: dict, pooler: str) -> dict:
    """A database's settings as a pooler in front of PostgreSQL needs them (unchanged without one)."""
    if pooler != "pgbouncer":
        return database
    options = {**database.get("OPTIONS", {}), "prepare_threshold": None}
    return {**database, "DISABLE_SERVER_SIDE_CURSORS": True, "OPTIONS": options}


def _databases(url: str) -> dict:
    """The primary at `url`, and the read replica when DATABASE_REPLICA_URL is set."""
    # Behind PgBouncer a kept connection is a client of the pooler, not a server backend: it is kept as
    # long as without one, and the pooler bounds the server connections (pool size), not CONN_MAX_AGE.
    connections = {"CONN_MAX_AGE": env.int("DATABASE_CONN_MAX_AGE", default=60), "CONN_HEALTH_CHECKS": True}
    databases = {"default": {**env.db_url_config(url), "ATOMIC_REQUESTS": False, **connections}}
    if DATABASE_REPLICA_URL:
        databases["replica"] = {
            **env.db_url_config(DATABASE_REPLICA_URL),
            **connections,
            "TEST": {"MIRROR": "default"},
        }
    return {alias: _behind_pooler(database, DATABASE_POOLER) for alias, database in databases.items()}


DATABASE_ROUTERS = ["foodtrucks.db_router.PrimaryReplicaRouter"] if DATABASE_REPLICA_URL else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- passwords ------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- i18n / time --------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
PRIVATE_MEDIA_ROOT = Path(env("DJANGO_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media")))

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_PRIVATE_BUCKET_NAME = env("AWS_PRIVATE_BUCKET_NAME", default=AWS_STORAGE_BUCKET_NAME)
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="us-east-1")
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
# Signature Version 4 for every S3 storage: buckets created since June 2020 refuse SigV2 links,
# which boto3 would otherwise still make for us-east-1.
AWS_S3_SIGNATURE_VERSION = "s3v4"
# Signed links to private files live this many seconds.
PRIVATE_FILE_URL_SECONDS = env.int("PRIVATE_FILE_URL_SECONDS", default=300)
CERTIFICATE_MAX_BYTES = env.int("CERTIFICATE_MAX_BYTES", default=10 * 1024 * 1024)


def _storages(*, use_s3: bool) -> dict:
    if use_s3:
        common = {
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "region_name": AWS_S3_REGION_NAME,
            "access_key": AWS_ACCESS_KEY_ID,
            "secret_key": AWS_SECRET_ACCESS_KEY,
            "file_overwrite": False,
        }
        # S3MediaStorage: each object's Content-Type comes from its key (foodtrucks/media.py).
        public = {
            "BACKEND": "foodtrucks.media.S3MediaStorage",
            "OPTIONS": {
                **common,
                "bucket_name": AWS_STORAGE_BUCKET_NAME,
                "location": "public",
                "querystring_auth": False,
                "default_acl": None,
            },
        }
        private = {
            "BACKEND": "foodtrucks.media.S3MediaStorage",
            "OPTIONS": {
                **common,
                "bucket_name": AWS_PRIVATE_BUCKET_NAME,
                "location": "private",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": PRIVATE_FILE_URL_SECONDS,
            },
        }
    else:
        public = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        private = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            # No base_url: private files are only ever served through a signed portal view.
            "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
        }
    return {
        "default": public,
        "private": private,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }


STORAGES = _storages(use_s3=bool(AWS_STORAGE_BUCKET_NAME))

# --- cache and Celery -------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis outage reads as cache misses (logged), never as a 500: foodtrucks/cache.py.
            "BACKEND": "foodtrucks.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")

# --- live streams (docs/live.md) ------------------------------------------------------------------
# Server-Sent Events by django-eventstream: fanned out to every ASGI process through Redis pub/sub,
# each channel's last events kept for replay (live.storage). Without REDIS_URL (make run's defaults)
# the streams work inside the one process and have no replay.


def _eventstream_redis(url: str) -> dict:
    """redis-py keyword arguments for REDIS_URL; a down Redis fails a publish in half a second at most."""
    from redis.connection import parse_url

    return {**parse_url(url), "socket_connect_timeout": 0.5}


if REDIS_URL:
    EVENTSTREAM_REDIS = _eventstream_redis(REDIS_URL)
    EVENTSTREAM_STORAGE_CLASS = "live.storage.ReplayWindowStorage"
# The replay window: per channel, the last LIVE_REPLAY_EVENTS events of the last LIVE_REPLAY_SECONDS.
LIVE_REPLAY_EVENTS = env.int("LIVE_REPLAY_EVENTS", default=200)
LIVE_REPLAY_SECONDS = env.int("LIVE_REPLAY_SECONDS", default=15 * 60)
# The catch-up feed (/api/v1/places/changes/): its change log keeps this many days; an older cursor
# answers 410 (resync). Pages hold up to CATCH_UP_PAGE_MAX places (CATCH_UP_PAGE_DEFAULT unasked).
CATCH_UP_RETENTION_DAYS = env.int("CATCH_UP_RETENTION_DAYS", default=7)
CATCH_UP_PAGE_DEFAULT = 100
CATCH_UP_PAGE_MAX = 500
# ETags of the place detail and the search pages include the clock in buckets of this many seconds
# (foodtrucks.conditional): how long a 304 may hold a field computed from the time (next_opening).
API_ETAG_CLOCK_SECONDS = env.int("API_ETAG_CLOCK_SECONDS", default=60)
# A favorites stream follows the newest this many favorites.
LIVE_FAVORITES_MAX = env.int("LIVE_FAVORITES_MAX", default=50)

# --- followers' alerts (docs/alerts.md) -----------------------------------------------------------
# Web Push (pywebpush): the VAPID key pair, base64url; the public key is the apps' applicationServerKey.
# Without a private key Web Push is skipped (the inbox still fills).
WEBPUSH_VAPID_PRIVATE_KEY = env("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_VAPID_PUBLIC_KEY = env("WEBPUSH_VAPID_PUBLIC_KEY", default="")
WEBPUSH_VAPID_SUBJECT = env("WEBPUSH_VAPID_SUBJECT", default="mailto:alerts@example.com")
# A Web Push endpoint is a URL the client hands us and we POST to: only the browsers' push services
# (a host named here, or under one of these domains), so a subscription cannot aim our server at
# our own network (SSRF).
WEBPUSH_ENDPOINT_HOSTS = env.list(
    "WEBPUSH_ENDPOINT_HOSTS",
    default=[
        "fcm.googleapis.com",  # Chrome, Edge on Android, Opera, Samsung Internet
        "android.googleapis.com",  # older Chrome subscriptions
        "push.services.mozilla.com",  # Firefox (updates.push.services.mozilla.com)
        "notify.windows.com",  # Edge on Windows (wns2-*.notify.windows.com)
        "push.apple.com",  # Safari (web.push.apple.com)
    ],
)
# FCM / APNs tokens are sent through this callable (device, payload) -> DeliveryResult: a no-op by default.
NOTIFICATIONS_NATIVE_PUSH_SENDER = env(
    "NOTIFICATIONS_NATIVE_PUSH_SENDER", default="notifications.push.native_push_not_configured"
)
# Pushpin's publish endpoint with the key it signs proxied requests with, e.g.
# http://127.0.0.1:5561?key=<sig_key>; unset, nothing is published to a GRIP proxy.
GRIP_URL = env("GRIP_URL", default="")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Every task has a time limit (docs/operations.md, "Task time limits"): at the soft limit the task
# gets SoftTimeLimitExceeded and records its failure, at the hard limit the pool kills its process.
# These are the defaults; the nightly roll-up of one day has its own, longer pair (analytics/tasks.py).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=4 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=5 * 60)
ANALYTICS_ROLLUP_SOFT_TIME_LIMIT = env.int("ANALYTICS_ROLLUP_SOFT_TIME_LIMIT", default=9 * 60)
# Also the age past which the beat presumes a "running" roll-up dead and marks it abandoned.
ANALYTICS_ROLLUP_TIME_LIMIT = env.int("ANALYTICS_ROLLUP_TIME_LIMIT", default=10 * 60)
# With acks late, a task whose worker died stays in Redis's unacknowledged set until this many
# seconds after it was delivered, then goes back to the queue. Above the longest hard limit (5 min
# more), so a task still running within its limit is never handed to a second worker; and minutes,
# not kombu's default hour, so a killed worker's roll-up is redelivered soon.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int(
        "CELERY_BROKER_VISIBILITY_TIMEOUT", default=max(CELERY_TASK_TIME_LIMIT, ANALYTICS_ROLLUP_TIME_LIMIT) + 5 * 60
    ),
}

# --- email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Food Trucks <no-reply@foodtrucks.local>")
# Where emails sent by beat jobs (no request to take the host from) link to: the portal's public origin.
SITE_URL = env("SITE_URL", default="http://localhost:8000")

# --- API --------------------------------------------------------------------------------------
API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100
# How many reverse proxies (load balancer, ingress) append to X-Forwarded-For in front of the app.
# One figure for the whole app: the API's rate limits and the brute-force lock-out both use it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["foodtrucks.api_renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["foodtrucks.api_parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every API error answers {"detail": "...", "errors": {"field": ["message"]}} (foodtrucks/api_errors.py).
    "EXCEPTION_HANDLER": "foodtrucks.api_errors.exception_handler",
    # Rate limits that let requests through (with a warning) while the cache is unreachable.
    "DEFAULT_THROTTLE_CLASSES": [
        "foodtrucks.api_throttles.AnonRateThrottle",
        "foodtrucks.api_throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/min"),
        "user": env("API_THROTTLE_USER", default="600/min"),
        "login": env("API_THROTTLE_LOGIN", default="10/min"),
        "register": env("API_THROTTLE_REGISTER", default="10/hour"),
        # Per-user rate of event batches (each up to 100 events).
        "events": env("API_THROTTLE_EVENTS", default="120/min"),
    },
    # Rate limits key anonymous clients by address: trust X-Forwarded-For only from this many
    # proxies in front of the app (0: the socket's address; behind one load balancer: 1). Unset,
    # DRF would take any client's X-Forwarded-For as is, and anyone could dodge the limits.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Food Trucks API",
    "DESCRIPTION": "Find food trucks and stands near you: menus, favorites, ratings and events.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Choice sets that share a field name ("kind") get their own schema enum names.
    "ENUM_NAME_OVERRIDES": {
        "PlaceKindEnum": "trucks.models.PlaceKind",
        "ExceptionKindEnum": "trucks.models.ExceptionKind",
        "LocationSourceEnum": "trucks.models.LocationSource",
        "MenuTypeEnum": "trucks.models.MenuType",
        "AlertKindEnum": "notifications.models.AlertKind",
        "DeviceKindEnum": "notifications.models.DeviceKind",
    },
}

# --- domain settings --------------------------------------------------------------------------
# Raw interaction events are kept this many days (after they are rolled up).
ANALYTICS_RETENTION_DAYS = env.int("ANALYTICS_RETENTION_DAYS", default=180)
# A place stays "open" this long after its scheduled closing time without a new check-in.
OPEN_SWITCH_GRACE_MINUTES = env.int("OPEN_SWITCH_GRACE_MINUTES", default=30)
# A place open outside its schedule (or with no schedule) is switched off after this long
# without a check-in.
OPEN_SWITCH_UNSCHEDULED_HOURS = env.int("OPEN_SWITCH_UNSCHEDULED_HOURS", default=12)
# Minimum number of visible ratings before a place can rank in "top places".
TOP_PLACES_MIN_RATINGS = env.int("TOP_PLACES_MIN_RATINGS", default=3)
# The events API accepts events this many days old at most; the nightly job re-rolls days that
# got late events within this window.
ANALYTICS_EVENT_MAX_AGE_DAYS = env.int("ANALYTICS_EVENT_MAX_AGE_DAYS", default=7)
# ... and this far in the future (device clocks drift).
ANALYTICS_EVENT_MAX_FUTURE_MINUTES = env.int("ANALYTICS_EVENT_MAX_FUTURE_MINUTES", default=5)
# The raw events table has one partition per UTC day: the hourly beat job creates them this many
# days ahead (analytics/partitions.py).
ANALYTICS_EVENT_PARTITIONS_AHEAD_DAYS = env.int("ANALYTICS_EVENT_PARTITIONS_AHEAD_DAYS", default=7)
# The plain nearby search counts the places of its circle up to this many: beyond it the answer's
# `count` is this cap and `count_is_capped` is true (a dense circle is never read whole: trucks.nearby).
NEARBY_COUNT_CAP = env.int("NEARBY_COUNT_CAP", default=1000)
# The map (GET places/map/?bbox=): a viewport holding more places than this answers clusters, on a
# grid of this many rows and columns over the viewport (so at most GRID² clusters).
MAP_CLUSTER_THRESHOLD = env.int("MAP_CLUSTER_THRESHOLD", default=300)
MAP_CLUSTER_GRID = env.int("MAP_CLUSTER_GRID", default=16)
# A truck's live location (check-in from the portal, the API or a device) is "live" this long after
# it was confirmed; older, its card says "last_seen".
LIVE_LOCATION_GRACE_MINUTES = env.int("LIVE_LOCATION_GRACE_MINUTES", default=120)
# Vendors' subscribed calendars (trucks.calendar_import) are fetched from the internet only: an address
# that resolves to a private, loopback or link-local network is refused (SSRF). Tests serve a feed locally.
CALENDAR_FETCH_ALLOW_PRIVATE = env.bool("CALENDAR_FETCH_ALLOW_PRIVATE", default=False)

# Authenticated place detail reads buffer their VIEW event and recently-viewed row in a Redis stream
# that a worker writes in batches (docs/place-views.md); off (written in the read) without Redis.
PLACE_VIEW_BUFFER = env.bool("PLACE_VIEW_BUFFER", default=bool(REDIS_URL))
# Entries per flush batch (one transaction); a read wakes the flush early when this many wait.
PLACE_VIEW_BUFFER_BATCH = env.int("PLACE_VIEW_BUFFER_BATCH", default=500)
# An entry read by a worker and not acknowledged for this long is presumed abandoned (the worker
# died mid-batch) and claimed by the next flush; well above a batch's write time.
PLACE_VIEW_BUFFER_CLAIM_IDLE_SECONDS = env.int("PLACE_VIEW_BUFFER_CLAIM_IDLE_SECONDS", default=60)

# --- logging ----------------------------------------------------------------------------------
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
# Every log line carries the request id (X-Request-ID in, X-Request-ID out).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "foodtrucks.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# --- operations (docs/operations.md): limits, headers, lockout ---------------------------------
# Non-file request bodies above this are refused (413); multipart file parts do not count here.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# Uploaded files above this spool to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A whole multipart body (files included) above this is refused with 413 before it is read.
MULTIPART_MAX_BODY_BYTES = env.int("MULTIPART_MAX_BODY_BYTES", default=CERTIFICATE_MAX_BYTES + 1024 * 1024)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True


def _storage_origins() -> list[str]:
    """Where public photos (and previews of private files) are served from, for img-src."""
    if not AWS_STORAGE_BUCKET_NAME:
        return []
    if AWS_S3_ENDPOINT_URL:
        scheme, _, rest = AWS_S3_ENDPOINT_URL.partition("://")
        return [f"{scheme}://{rest.split('/')[0]}"]
    buckets = dict.fromkeys([AWS_STORAGE_BUCKET_NAME, AWS_PRIVATE_BUCKET_NAME])
    return [
        origin
        for bucket in buckets
        for origin in (f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{AWS_S3_REGION_NAME}.amazonaws.com")
    ]


# --- maps and addresses (docs/maps-and-addresses.md) -------------------------------------------
# The portal's map tiles ({z}/{x}/{y}); empty: maps draw the pins on a blank background (the tests).
MAP_TILE_URL = env("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env(
    "MAP_TILE_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
# A Nominatim-compatible service (its /reverse?format=jsonv2): a check-in that moves a place without a
# typed address gets the address found there, after commit. Empty (the default): no lookups.
REVERSE_GEOCODER_URL = env("REVERSE_GEOCODER_URL", default="")
REVERSE_GEOCODER_TIMEOUT = env.float("REVERSE_GEOCODER_TIMEOUT", default=5.0)
REVERSE_GEOCODER_USER_AGENT = env("REVERSE_GEOCODER_USER_AGENT", default="foodtrucks-portal/1.0")


def _tile_origins() -> list[str]:
    """The tile server's origin, for img-src (nothing when tiles are off)."""
    scheme, _, rest = MAP_TILE_URL.partition("://")
    if scheme not in ("http", "https") or not rest:
        return []
    return [f"{scheme}://{rest.split('/')[0].replace('{s}', '*')}"]


# No inline script or style anywhere: a page that needs one (the Swagger UI) uses the per-request
# nonce, which appears in the header only on responses whose template asked for it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *_storage_origins(), *_tile_origins()],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Brute-force protection on every login door (API token, portal, admin): django-axes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_USERNAME_CALLABLE = "foodtrucks.lockout.login_username"
# The client's address, behind TRUSTED_PROXY_COUNT proxies (set in the API section).
AXES_CLIENT_IP_CALLABLE = "foodtrucks.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "foodtrucks.lockout.lockout_response"
