"""The app behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer): no state outlives a
transaction. A real pgbouncer (Debian package) with two server connections is started in front of the
test database; an app process runs through it with two threads (the roll-up with its transaction-level
lock and settings, the top-places warm-up's chunked read, a repeated query), and a chunked read whose
server connection is taken by another client between its statements."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from analytics.models import DailyPlaceStats, InteractionType
from foodtrucks.settings.base import _behind_pooler
from tests import factories

ROOT = Path(settings.BASE_DIR)


def test_pgbouncer_switch_turns_off_server_side_cursors_and_prepared_statements():
    database = {"NAME": "foodtrucks", "OPTIONS": {"sslmode": "require"}, "CONN_MAX_AGE": 60}

    pooled = _behind_pooler(database, "pgbouncer")

    assert pooled["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert pooled["OPTIONS"] == {"sslmode": "require", "prepare_threshold": None}
    assert pooled["CONN_MAX_AGE"] == 60
    assert _behind_pooler(database, "") == database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def pgbouncer(transactional_db):
    """pgbouncer in transaction mode with two server connections to the test database; yields its URL."""
    # scripts/ensure-services.sh (make test) installs it; without it this test cannot prove anything
    assert shutil.which("pgbouncer"), "pgbouncer is not installed: run scripts/ensure-services.sh"
    name, port = connection.settings_dict["NAME"], _free_port()
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-test-"))
    folder.chmod(0o755)
    (folder / "users.txt").write_text('"postgres" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\n{name} = host=127.0.0.1 port=5432 dbname={name} user=postgres pool_size=2\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\nauth_type = trust\n"
        f"auth_file = {folder}/users.txt\npool_mode = transaction\nserver_reset_query =\n"
        f"ignore_startup_parameters = extra_float_digits\nlogfile = {folder}/pgbouncer.log\n"
    )
    for path in folder.iterdir():
        path.chmod(0o644)
    command = ["pgbouncer", str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        shutil.chown(folder, user="postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"pgbouncer did not start: {(folder / 'pgbouncer.log').read_text()}")
                sleep(0.05)
        yield f"postgres://postgres@127.0.0.1:{port}/{name}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        # Its server connection ends with it; the test database can be flushed and dropped.
        shutil.rmtree(folder, ignore_errors=True)


# Two threads, each with its own connection to the pooler, interleaving transactions on its one
# server connection: a prepared statement or a server-side cursor of one would be missing (or taken)
# for the other.
APP_CODE = """
import threading
from datetime import date
from django.db import connection
from analytics.rollup import rollup_day
from trucks.models import Place
from trucks.search import places_search
from trucks.top_places import top_places_warm

errors = []
barrier = threading.Barrier(2)

def work():
    try:
        barrier.wait()
        for _ in range(12):
            assert Place.objects.filter(is_active=True).count() == 3
            top_places_warm()
            # the nearby page's one statement, run as Django runs every statement (never prepared)
            nearby = places_search(lat=30.2672, lng=-97.7431, radius_km=5.0).capped_page(offset=0, limit=20)
            assert nearby.count == 3
        rollup_day(day=date.fromisoformat(DAY))
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=work) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("ERRORS", errors)
"""


def _run_app(url: str, pooler: str, code: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.local",
        "DATABASE_URL": url,
        "DATABASE_POOLER": pooler,
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    command = [sys.executable, "manage.py", "shell", "-c", code]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.django_db(transaction=True)
def test_the_app_runs_through_pgbouncer_in_transaction_mode(pgbouncer):
    # given three places with events yesterday (local day), committed for the app process to see
    day = (timezone.now() - timedelta(days=1)).date()
    places = factories.PlaceFactory.create_batch(3, time_zone="UTC", rating_count=5, rating_avg=4.5)
    for place in places:
        factories.UserInteractionFactory(
            place=place, type=InteractionType.VIEW, occurred_at=datetime.combine(day, time(12), tzinfo=UTC)
        )

    # when the app runs through the pooler with the switch on
    run = _run_app(pgbouncer, "pgbouncer", f"DAY = {day.isoformat()!r}\n" + APP_CODE)

    # then both threads finished every query, and the roll-up wrote the day
    assert "ERRORS []" in run.stdout, run.stdout + run.stderr
    assert DailyPlaceStats.objects.filter(date=day).count() == 3


# A chunked read (QuerySet.iterator()) while another client holds the pooler's idle server connection in
# a transaction: the read's FETCH gets the other server connection.
CHUNKED_READ_CODE = """
import psycopg
from trucks.models import Place

other = psycopg.connect(URL)  # not autocommit: its first statement opens a transaction
ids = Place.objects.order_by("id").values_list("id", flat=True).iterator(chunk_size=1)
try:
    first = next(ids)
    other.execute("SELECT 1")
    print("FETCHED", 1 + len(list(ids)))
except Exception as error:
    print("ERROR", error)
other.rollback()
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("pooler", "expected"), [("pgbouncer", "FETCHED 3"), ("", "ERROR cursor")])
def test_a_chunked_read_survives_the_pooler_only_with_the_switch(pgbouncer, pooler, expected):
    """Without DATABASE_POOLER the read is a server-side cursor (WITH HOLD, in autocommit), which lives
    on the server connection that declared it; the fetch runs on another one and finds no cursor."""
    factories.PlaceFactory.create_batch(3)

    run = _run_app(pgbouncer, pooler, f"URL = {pgbouncer!r}\n" + CHUNKED_READ_CODE)

    assert expected in run.stdout, run.stdout + run.stderr
