"""The fan-out of one change to a place's followers: set-based, in chunks of followers.

Each chunk is ONE statement: the next `FAN_OUT_CHUNK` favorites of the place (by id, after the last
chunk's), joined to their owners' preferences, location and saved places, filtered in SQL (the kind
switched on, the cooldown per user and place, the distance for "opened nearby"), inserted into the
inbox with `ON CONFLICT (change_id, user_id) DO NOTHING`, returning the new rows to push. Quiet
hours (in the user's zone, possibly across midnight) keep the row in the inbox but unpushed.
The number of statements grows with followers / chunk, never one per follower; a re-run of the same
change finds every row there already and inserts and pushes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from consumers.models import FavoritePlace
from notifications.models import (
    DEFAULT_COOLDOWN,
    DEFAULT_RADIUS_KM,
    AlertKind,
    AlertPreferences,
    LastLocation,
    Notification,
    SavedPlace,
)
from trucks.changes import ChangeKind
from trucks.models import Place

FAN_OUT_CHUNK = 5000
PUSH_BATCH = 500
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class FanOutResult:
    followers: int  # favorites scanned
    notified: int  # inbox rows written
    to_push: int  # of which outside quiet hours
    chunks: int


def _distance_km(lat1: str, lng1: str, lat2: str, lng2: str) -> str:
    """The haversine great-circle distance in km between two SQL points (the same R as the search)."""
    return (
        f"2 * {EARTH_RADIUS_KM} * asin(least(1, sqrt("
        f"power(sin(radians({lat2} - {lat1}) / 2), 2)"
        f" + cos(radians({lat1})) * cos(radians({lat2})) * power(sin(radians({lng2} - {lng1}) / 2), 2))))"
    )


def _chunk_sql(kind: AlertKind) -> str:
    """One chunk: the next followers after %(after)s, filtered, inserted, the new pushable ids returned."""
    return _chosen_sql(kind, chunked=True) + _INSERT_SQL.format(inbox=Notification._meta.db_table)


def _count_sql(kind: AlertKind) -> str:
    """How many followers a change would alert now (every follower at once, nothing written)."""
    return _chosen_sql(kind, chunked=False) + " SELECT count(*) FROM chosen"  # nosec B608 # noqa: S608


_INSERT_SQL = """, inserted AS (
        INSERT INTO {inbox} (user_id, place_id, change_id, kind, title, body, created_at, push)
        SELECT user_id, %(place_id)s, %(change_id)s, %(kind)s, %(title)s, %(body)s, %(at)s, push FROM chosen
        ON CONFLICT (change_id, user_id) DO NOTHING
        RETURNING id, push
    )
    SELECT (SELECT max(id) FROM batch),
           (SELECT count(*) FROM batch),
           (SELECT count(*) FROM inserted),
           COALESCE((SELECT array_agg(id ORDER BY id) FROM inserted WHERE push), '{{}}')
    """  # nosec B608 - the model's table name only; values are parameters


def _chosen_sql(kind: AlertKind, *, chunked: bool) -> str:
    fav = FavoritePlace._meta.db_table
    prefs = AlertPreferences._meta.db_table
    loc = LastLocation._meta.db_table
    saved = SavedPlace._meta.db_table
    inbox = Notification._meta.db_table
    if kind == AlertKind.OPENED_NEARBY:
        wanted = "COALESCE(p.opens_nearby, TRUE)"
        near_me = _distance_km("l.lat", "l.lng", "%(lat)s", "%(lng)s")
        near_saved = _distance_km("s.lat", "s.lng", "%(lat)s", "%(lng)s")
        # A saved place's distance only after a bounding-box pre-filter (1 degree of latitude ≈ 111 km).
        where_near = f"""
          AND (
            (COALESCE(p.near_me, TRUE) AND l.user_id IS NOT NULL AND {near_me} <= c.radius_km)
            OR (COALESCE(p.near_saved_places, TRUE) AND EXISTS (
                SELECT 1 FROM {saved} s
                WHERE s.user_id = c.user_id
                  AND s.lat BETWEEN %(lat)s - c.radius_km / 111.0 AND %(lat)s + c.radius_km / 111.0
                  AND {near_saved} <= c.radius_km))
          )"""  # nosec B608 # noqa: S608 - the code's own table names and SQL; values are parameters
        join_location = f"LEFT JOIN {loc} l ON l.user_id = c.user_id"
    else:
        wanted = "COALESCE(p.stop_today, TRUE)"
        where_near = ""
        join_location = ""
    chunk = "AND f.id > %(after)s ORDER BY f.id LIMIT %(chunk)s" if chunked else ""
    return f"""
    WITH batch AS (
        SELECT f.id, f.user_id FROM {fav} f
        WHERE f.place_id = %(place_id)s {chunk}
    ), candidates AS (
        SELECT b.user_id,
               COALESCE(p.radius_km, %(default_radius)s) AS radius_km,
               COALESCE(p.cooldown_minutes, %(default_cooldown)s) AS cooldown_minutes,
               p.quiet_start, p.quiet_end,
               (%(at)s::timestamptz AT TIME ZONE COALESCE(p.time_zone, 'UTC'))::time AS local_time
        FROM batch b
        LEFT JOIN {prefs} p ON p.user_id = b.user_id
        WHERE {wanted}
    ), chosen AS (
        SELECT c.user_id,
               NOT COALESCE(
                   CASE WHEN c.quiet_start <= c.quiet_end
                        THEN c.local_time >= c.quiet_start AND c.local_time < c.quiet_end
                        ELSE c.local_time >= c.quiet_start OR c.local_time < c.quiet_end
                   END, FALSE) AS push
        FROM candidates c
        LEFT JOIN {prefs} p ON p.user_id = c.user_id
        {join_location}
        WHERE NOT EXISTS (
            SELECT 1 FROM {inbox} n
            WHERE n.user_id = c.user_id AND n.place_id = %(place_id)s
              AND n.created_at > %(at)s::timestamptz - make_interval(mins => c.cooldown_minutes)
        ){where_near}
    )"""  # nosec B608 # noqa: S608 - the code's own table names and SQL; values are parameters


def alert_kind_for(change_kind: str) -> AlertKind | None:
    return {
        ChangeKind.OPENED: AlertKind.OPENED_NEARBY,
        ChangeKind.SCHEDULE_CHANGED: AlertKind.STOP_TODAY,
    }.get(ChangeKind(change_kind))


def _texts(kind: AlertKind, place: Place) -> tuple[str, str]:
    where = ", ".join(part for part in (place.address, place.city) if part)
    if kind == AlertKind.OPENED_NEARBY:
        return f"{place.name} is open near you", where
    return f"{place.name} has a stop today", where


def fan_out(
    *,
    change_id: str,
    kind: str,
    place_id: int,
    lat: float | None,
    lng: float | None,
    at: datetime,
    chunk: int = FAN_OUT_CHUNK,
    enqueue_push: Callable[[list[int]], None] | None = None,
) -> FanOutResult:
    """Alert the followers of `place_id` about one change; `enqueue_push(ids)` runs after each chunk commits."""
    alert_kind = alert_kind_for(kind)
    place = Place.objects.filter(pk=place_id, is_active=True).only("name", "address", "city").first()
    if alert_kind is None or place is None:
        return FanOutResult(0, 0, 0, 0)
    if alert_kind == AlertKind.OPENED_NEARBY and (lat is None or lng is None):
        return FanOutResult(0, 0, 0, 0)
    title, body = _texts(alert_kind, place)
    sql = _chunk_sql(alert_kind)
    params = {
        "place_id": place_id,
        "change_id": change_id,
        "kind": str(alert_kind),
        "title": title[:200],
        "body": body[:300],
        "at": at,
        "lat": lat,
        "lng": lng,
        "chunk": chunk,
        "default_radius": DEFAULT_RADIUS_KM,
        "default_cooldown": int(DEFAULT_COOLDOWN.total_seconds() // 60),
    }
    after, followers, notified, to_push, chunks = 0, 0, 0, 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {**params, "after": after})
            last_id, scanned, inserted, push_ids = cursor.fetchone()
            if push_ids and enqueue_push is not None:
                for start in range(0, len(push_ids), PUSH_BATCH):
                    batch = list(push_ids[start : start + PUSH_BATCH])
                    transaction.on_commit(lambda batch=batch: enqueue_push(batch))
        chunks += 1
        followers += scanned
        notified += inserted
        to_push += len(push_ids)
        if scanned < chunk or last_id is None:
            return FanOutResult(followers, notified, to_push, chunks)
        after = last_id


def followers_alerted_count(*, kind: str, place_id: int, lat: float | None, lng: float | None, at: datetime) -> int:
    """How many followers a change of `kind` at (lat, lng) would alert at `at` (one statement, nothing written;
    quiet hours count: those are alerted in the inbox)."""
    alert_kind = alert_kind_for(kind)
    if alert_kind is None or (alert_kind == AlertKind.OPENED_NEARBY and (lat is None or lng is None)):
        return 0
    params = {
        "place_id": place_id,
        "at": at,
        "lat": lat,
        "lng": lng,
        "default_radius": DEFAULT_RADIUS_KM,
        "default_cooldown": int(DEFAULT_COOLDOWN.total_seconds() // 60),
    }
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(alert_kind), params)
        return cursor.fetchone()[0]
