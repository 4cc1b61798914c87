"""The bench scripts' own database: its URL, psql, drop-create-migrate, Django set up against it, COPY loads.

The scripts run as `python bench/<script>.py`, so bench/ is on sys.path and they `from benchdb import ...`.
PostgreSQL on 127.0.0.1:5432 as user postgres (trust auth), as everywhere in bench/.
"""

import io
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def psql(sql: str, database: str = "postgres") -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qAtc", sql], check=True)


def create_database(name: str, env: dict[str, str] | None = None) -> None:
    """Drop and create the database, then migrate it; by default with the local settings.

    `env` replaces the whole environment of `manage.py migrate` (a script with its own settings passes it).
    """
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")
    if env is None:
        env = {**os.environ, "DATABASE_URL": bench_url(name), "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.local"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)


def setup_django(
    name: str, *, settings: str = "foodtrucks.settings.local", keep_redis: bool = False, **extra_env: str
) -> None:
    """Point this process at the database and set Django up; without Redis unless `keep_redis`.

    `extra_env` is set after the rest (the rates, debug and hosts a script needs).
    """
    os.environ["DATABASE_URL"] = bench_url(name)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    if not keep_redis:
        os.environ.pop("REDIS_URL", None)
    os.environ.update(extra_env)
    import django

    django.setup()


def copy_rows(cursor, table: str, columns: str, lines) -> int:
    """COPY text-format lines into the table, 200,000 lines a write; returns how many."""
    count = 0
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for count, line in enumerate(lines, 1):
            buffer.write(line)
            if count % 200_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count
