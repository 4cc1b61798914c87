"""Gunicorn settings for the web process (Procfile: web). Every knob can be set from the environment."""

import multiprocessing
import os

# The web process runs the production settings unless told otherwise (e.g. bench/load.sh).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foodtrucks.settings.production")

# All interfaces by default: the process runs in a container behind the balancer (HOST narrows it).
host = os.environ.get("HOST", "0.0.0.0")  # noqa: S104 # nosec
bind = f"{host}:{os.environ.get('PORT', '8000')}"
# Worker processes: WEB_CONCURRENCY (the Heroku/Render convention), else 2 per core + 1.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads per worker; above 1 gunicorn uses the gthread worker (I/O-bound views, many keep-alives).
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A request running longer than this is killed (the worker restarts); the balancer should time out first.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak never becomes an outage; jitter avoids restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Import the app once in the master: faster forks, shared memory, and a broken build fails at start.
preload_app = True
# Gunicorn's own worker heartbeat files: in memory, not on a possibly slow container disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108  # nosec B108
# Which proxies may set X-Forwarded-Proto / X-Forwarded-For (comma-separated, "*" behind a private balancer).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs on stdout/stderr for the platform to collect; access lines as one JSON-ish object each,
# with the request id the app put on the response (the same id as in the app's own log lines).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = (
    '{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "query": "%(q)s", '
    '"status": %(s)s, "bytes": %(B)s, "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s", '
    '"user_agent": "%(a)s"}'
)
