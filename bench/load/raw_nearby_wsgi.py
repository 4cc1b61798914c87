"""The nearby page's raw SQL behind HTTP, without Django: the floor the endpoint is compared with.

A bare WSGI app (gunicorn runs it like the real one) that answers `GET /?lat=&lng=&radius_km=` with
the rows of the same statement the endpoint runs for a plain nearby page (trucks.search's
PlainNearbySearch.first_sql: the change log's version, the capped count and the page's cards with their
hours and exceptions, in one statement), as JSON, over one psycopg connection per worker process. No
middleware, authentication, throttle, validation, next openings computed or cards built.

    DATABASE_URL=... gunicorn -w 4 bench.load.raw_nearby_wsgi:application
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foodtrucks.settings.production")

import django

django.setup()  # for the statement only (trucks.search builds it); requests never touch Django

from trucks.nearby import NearbyKeys  # noqa: E402
from trucks.search import PlainNearbySearch  # noqa: E402

_connection = None


def application(environ, start_response):
    global _connection
    if _connection is None:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    query = parse_qs(environ.get("QUERY_STRING", ""))
    keys = NearbyKeys(
        lat=float(query["lat"][0]), lng=float(query["lng"][0]), radius_km=float(query.get("radius_km", ["5"])[0])
    )
    sql, params = PlainNearbySearch(keys).first_sql(offset=0, limit=21, cap=1000)
    with _connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    body = json.dumps({"count": rows[0][-1] if rows else 0, "rows": rows}, default=str).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
