"""Real Celery workers in their own processes, for fault drills that kill one.

A worker runs `celery -A foodtrucks worker --pool=solo` under the production settings, on the test
database and on a Redis database of its own as broker, so killing it is what killing a production
worker is: the process executing the task dies, its broker message stays unacknowledged, its
PostgreSQL backend is left behind.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import redis
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_SECONDS = 30


def broker_url() -> str:
    """A Redis database for the drill's broker, derived from the run's own REDIS_URL.

    8 above the cache's database (mod 16), never 0 or 1: CI's cache on /1 gets /9, a run on /6
    gets /14. Another run with another REDIS_URL gets another one, so their queues never mix.
    """
    base, _, db = settings.REDIS_URL.rpartition("/")
    own = int(db or 0)
    number = next(n for n in ((own + step) % 16 for step in range(8, 16)) if n not in (0, 1, own))
    return f"{base}/{number}"


def flush_broker(url: str) -> None:
    redis.Redis.from_url(url).flushdb()


def database_url() -> str:
    """The test database (the one pytest-django created), as a URL for another process."""
    params = connection.settings_dict
    password = f":{quote(params['PASSWORD'], safe='')}" if params.get("PASSWORD") else ""
    return (
        f"postgres://{quote(params['USER'], safe='')}{password}@{params['HOST'] or '127.0.0.1'}:"
        f"{params['PORT'] or 5432}/{params['NAME']}"
    )


def worker_environment(*, broker: str, **extra: str) -> dict[str, str]:
    """The production settings with their required variables, on the test database and `broker`."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.production",
        "DJANGO_SECRET_KEY": "fault-drill-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": database_url(),
        "REDIS_URL": broker,
        **extra,
    }


@contextmanager
def worker_process(*, name: str, env: dict[str, str], log: Path, pool: str = "solo") -> Iterator[subprocess.Popen]:
    """Start a worker (solo: the task runs in the process itself; prefork: in one child, which
    enforces time limits), in its own process group; stop it at the end if it is still alive."""
    command = [sys.executable, "-m", "celery", "-A", "foodtrucks", "worker", f"--pool={pool}", "--loglevel=info"]
    command += ["--concurrency=1"]
    command += ["-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # warm shutdown: the current task finishes
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker (as the OOM killer or a lost machine would): no cleanup of any kind."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_SECONDS)


def wait_until(probe: Callable[[], object], *, what: str, seconds: float = 60, log: Path | None = None):
    """Poll `probe` until it answers something truthy (and return that), or fail with the worker's log."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            tail = log.read_text()[-4000:] if log and log.exists() else ""
            raise AssertionError(f"{what}: not within {seconds} s\n{tail}")
        time.sleep(0.05)
