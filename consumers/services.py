"""Writes of a consumer's own lists: favorites, recently viewed, favorite categories."""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone

from accounts.models import User
from analytics.ingest import ClientEvent, events_ingest
from analytics.models import InteractionType
from analytics.services import interaction_record
from consumers import view_buffer
from consumers.models import RECENTLY_VIEWED_LIMIT, FavoriteCategory, FavoritePlace, RecentlyViewedPlace
from trucks.models import Category, Place


def _active_place(place_id: int) -> Place:
    place = Place.objects.filter(pk=place_id, is_active=True).first()
    if place is None:
        raise ValidationError({"place": "No such place."})
    return place


@transaction.atomic
def favorite_add(*, user: User, place_id: int) -> tuple[FavoritePlace, bool]:
    """Mark a place as a favorite; adding it again is not an error. Returns (favorite, created)."""
    place = _active_place(place_id)
    favorite, created = FavoritePlace.objects.get_or_create(user=user, place=place)
    return favorite, created


@transaction.atomic
def favorite_remove(*, user: User, place_id: int) -> bool:
    """Returns whether there was such a favorite."""
    deleted, _ = FavoritePlace.objects.filter(user=user, place_id=place_id).delete()
    return deleted > 0


@transaction.atomic
def recently_viewed_touch(*, user: User, place_id: int) -> None:
    """One row per user and place with the latest view time; only the newest 50 are kept."""
    RecentlyViewedPlace.objects.bulk_create(
        [RecentlyViewedPlace(user=user, place_id=place_id, viewed_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "place"],
        update_fields=["viewed_at"],
    )
    newest = RecentlyViewedPlace.objects.filter(user=user).order_by("-viewed_at", "-id")[:RECENTLY_VIEWED_LIMIT]
    RecentlyViewedPlace.objects.filter(user=user).exclude(pk__in=Subquery(newest.values("pk"))).delete()


@transaction.atomic
def favorite_categories_set(*, user: User, slugs: list[str]) -> list[Category]:
    """Replace the user's favorite categories by those slugs (unknown slugs are an error)."""
    slugs = list(dict.fromkeys(slugs))
    categories = list(Category.objects.filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {category.slug for category in categories})
    if unknown:
        raise ValidationError({"categories": f"Unknown categories: {', '.join(unknown)}."})
    FavoriteCategory.objects.filter(user=user).exclude(category__in=categories).delete()
    FavoriteCategory.objects.bulk_create(
        [FavoriteCategory(user=user, category=category) for category in categories], ignore_conflicts=True
    )
    return sorted(categories, key=lambda category: (category.position, category.name))


@transaction.atomic
def place_view_record(*, user: User, place_id: int) -> None:
    """A signed-in consumer opened a place: a VIEW event and their recently-viewed list moves."""
    interaction_record(place_id=place_id, type=InteractionType.VIEW, user_id=user.pk)
    recently_viewed_touch(user=user, place_id=place_id)


def place_view_read(*, user: User, place_id: int, now: datetime) -> None:
    """The detail read's view: buffered in Redis when PLACE_VIEW_BUFFER is on (a worker writes it in a
    batch), else, or when Redis does not take it, written here and now. Never fails the read for Redis."""
    if settings.PLACE_VIEW_BUFFER:
        try:
            view_buffer.view_append(user_id=user.pk, place_id=place_id, viewed_at=now)
        except view_buffer.BufferUnavailable:
            pass
        else:
            if view_buffer.backlog_waiting():
                from consumers.tasks import flush_place_views  # the task module imports this one

                flush_place_views.delay()
            return
    place_view_record(user=user, place_id=place_id)


def place_views_write(views: list[view_buffer.BufferedView]) -> int:
    """Write a batch of buffered views (the caller holds a transaction): the VIEW events through
    analytics' idempotent ingest (a redelivered client id is a duplicate) and the recently-viewed
    rows with the later time kept. Views of places deleted since are dropped; a deleted user's views
    still count, anonymously. Answers how many views were kept."""
    place_ids = set(Place.objects.filter(pk__in={view.place_id for view in views}).values_list("pk", flat=True))
    user_ids = set(User.objects.filter(pk__in={view.user_id for view in views}).values_list("pk", flat=True))
    views = [view for view in views if view.place_id in place_ids]
    by_user: dict[int | None, list[ClientEvent]] = defaultdict(list)
    for view in views:
        event = ClientEvent(
            client_id=view.client_id, place_id=view.place_id, type=InteractionType.VIEW, occurred_at=view.viewed_at
        )
        by_user[view.user_id if view.user_id in user_ids else None].append(event)
    for user_id, events in by_user.items():
        events_ingest(user_id=user_id, events=events)
    newest: dict[tuple[int, int], datetime] = {}
    for view in views:
        if view.user_id in user_ids:
            key = (view.user_id, view.place_id)
            newest[key] = max(newest.get(key, view.viewed_at), view.viewed_at)
    recently_viewed_touch_many(views=newest)
    return len(views)


def recently_viewed_touch_many(*, views: dict[tuple[int, int], datetime]) -> None:
    """(user id, place id) -> view time, for many users at once: an upsert that never moves a row's
    time backwards (a redelivered old view changes nothing), then each user's list cut to the newest 50."""
    if not views:
        return
    table = RecentlyViewedPlace._meta.db_table
    keys = list(views)
    upsert = f"""
        INSERT INTO {table} (user_id, place_id, viewed_at)
        SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[])
        ON CONFLICT (user_id, place_id) DO UPDATE SET viewed_at = GREATEST({table}.viewed_at, EXCLUDED.viewed_at)
    """  # nosec B608 # noqa: S608 - the table name comes from the model, values are parameters
    trim = f"""
        DELETE FROM {table} WHERE id IN (
            SELECT id FROM (
                SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY viewed_at DESC, id DESC) AS rank
                FROM {table} WHERE user_id = ANY(%s::bigint[])
            ) AS ranked WHERE rank > %s
        )
    """  # nosec B608 # noqa: S608 - as above
    with connection.cursor() as cursor:
        cursor.execute(upsert, [[u for u, _ in keys], [p for _, p in keys], [views[key] for key in keys]])
        cursor.execute(trim, [sorted({u for u, _ in keys}), RECENTLY_VIEWED_LIMIT])
