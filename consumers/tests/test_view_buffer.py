"""The place-view buffer against the real Redis: a detail read writes nothing to the database, the
flush writes each view once (also when redelivered), a dead worker's batch is claimed, the read falls
back to a synchronous write when Redis is down, and recently viewed is right before the flush."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import InteractionType, UserInteraction
from consumers import services, view_buffer
from consumers.models import RecentlyViewedPlace
from consumers.tasks import flush_place_views
from foodtrucks.celery import app as celery_app
from tests import factories

RECENT = "/api/v1/me/recently-viewed/"


def detail_url(place_id: int) -> str:
    return f"/api/v1/places/{place_id}/"


@pytest.fixture
def buffer_on(settings):
    """The buffer on, on an empty stream and a closed circuit."""
    settings.PLACE_VIEW_BUFFER = True
    settings.PLACE_VIEW_BUFFER_CLAIM_IDLE_SECONDS = 60
    redis_client = view_buffer.client()
    redis_client.delete(view_buffer.STREAM, view_buffer.WAKE_KEY)
    view_buffer.circuit_reset()
    yield redis_client
    redis_client.delete(view_buffer.STREAM, view_buffer.WAKE_KEY)
    view_buffer.circuit_reset()


def flush(**kwargs) -> view_buffer.FlushResult:
    return view_buffer.views_flush(write=services.place_views_write, **kwargs)


def views_of(user) -> list[int]:
    return list(UserInteraction.objects.filter(user=user, type=InteractionType.VIEW).values_list("place_id", flat=True))


def test_buffered_read_writes_nothing_to_the_database(buffer_on, consumer, consumer_client, place_a):
    response = consumer_client.get(detail_url(place_a.pk))

    assert response.status_code == 200
    assert UserInteraction.objects.count() == 0
    assert RecentlyViewedPlace.objects.count() == 0
    assert buffer_on.xlen(view_buffer.STREAM) == 1
    assert list(view_buffer.recently_viewed_pending(user_id=consumer.pk)) == [place_a.pk]


def test_buffered_read_costs_no_write_query(buffer_on, consumer_client, place_a, django_assert_num_queries):
    # token, the place's version (its ETag), place, 5 prefetches, star distribution, recent reviews: the
    # reads of the detail, nothing else
    with django_assert_num_queries(10):
        consumer_client.get(detail_url(place_a.pk))


def test_flush_writes_each_view_and_empties_the_buffer(buffer_on, consumer, consumer_client, place_a, place_b):
    consumer_client.get(detail_url(place_a.pk))
    consumer_client.get(detail_url(place_b.pk))
    consumer_client.get(detail_url(place_a.pk))

    result = flush()

    assert (result.views, result.batches, result.claimed) == (3, 1, 0)
    assert sorted(views_of(consumer)) == sorted([place_a.pk, place_a.pk, place_b.pk])
    recent = list(RecentlyViewedPlace.objects.filter(user=consumer).order_by("-viewed_at"))
    assert [row.place_id for row in recent] == [place_a.pk, place_b.pk]
    assert buffer_on.xlen(view_buffer.STREAM) == 0
    assert buffer_on.xpending(view_buffer.STREAM, view_buffer.GROUP)["pending"] == 0
    assert view_buffer.recently_viewed_pending(user_id=consumer.pk) == {}


def test_flush_in_batches_of_the_set_size(buffer_on, settings, consumer, consumer_client, place_a):
    settings.PLACE_VIEW_BUFFER_BATCH = 2
    for _ in range(5):
        view_buffer.view_append(user_id=consumer.pk, place_id=place_a.pk, viewed_at=timezone.now())

    result = flush()

    assert (result.views, result.batches) == (5, 3)
    assert UserInteraction.objects.filter(type=InteractionType.VIEW).count() == 5


def test_flush_again_after_a_crash_before_the_acknowledgement_counts_once(
    buffer_on, settings, monkeypatch, consumer, consumer_client, place_a
):
    """The batch committed, then the worker died before XACK: the entries stay pending, the next run
    claims them, writes them again (duplicates by client id) and acknowledges them."""
    consumer_client.get(detail_url(place_a.pk))
    real_acknowledge = view_buffer._batch_acknowledge

    def die(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(view_buffer, "_batch_acknowledge", die)
    with pytest.raises(SystemExit):
        flush(consumer="worker-1")
    assert views_of(consumer) == [place_a.pk]
    viewed_at = RecentlyViewedPlace.objects.get(user=consumer).viewed_at
    assert buffer_on.xpending(view_buffer.STREAM, view_buffer.GROUP)["pending"] == 1

    monkeypatch.setattr(view_buffer, "_batch_acknowledge", real_acknowledge)
    settings.PLACE_VIEW_BUFFER_CLAIM_IDLE_SECONDS = 0
    result = flush(consumer="worker-2")

    assert (result.views, result.claimed) == (1, 1)
    assert views_of(consumer) == [place_a.pk]
    assert RecentlyViewedPlace.objects.get(user=consumer).viewed_at == viewed_at
    assert buffer_on.xpending(view_buffer.STREAM, view_buffer.GROUP)["pending"] == 0


def test_entries_of_a_dead_worker_are_claimed_once_idle(buffer_on, settings, consumer, consumer_client, place_a):
    """A worker read a batch (XREADGROUP) and died before writing it."""
    consumer_client.get(detail_url(place_a.pk))
    consumer_client.get(detail_url(place_a.pk))
    view_buffer._group_ensure(buffer_on)
    buffer_on.xreadgroup(view_buffer.GROUP, "dead-worker", {view_buffer.STREAM: ">"}, count=10)

    too_soon = flush(consumer="worker-2")
    assert (too_soon.views, too_soon.claimed) == (0, 0)
    assert views_of(consumer) == []

    settings.PLACE_VIEW_BUFFER_CLAIM_IDLE_SECONDS = 0
    result = flush(consumer="worker-2")

    assert (result.views, result.claimed) == (2, 2)
    assert views_of(consumer) == [place_a.pk, place_a.pk]
    assert RecentlyViewedPlace.objects.filter(user=consumer, place=place_a).count() == 1
    assert buffer_on.xlen(view_buffer.STREAM) == 0


def test_an_older_redelivered_view_never_moves_recently_viewed_back(buffer_on, consumer, place_a):
    now = timezone.now()
    RecentlyViewedPlace.objects.create(user=consumer, place=place_a, viewed_at=now)
    view_buffer.view_append(user_id=consumer.pk, place_id=place_a.pk, viewed_at=now - timedelta(minutes=5))

    flush()

    assert RecentlyViewedPlace.objects.get(user=consumer, place=place_a).viewed_at == now


def test_views_of_a_place_deleted_before_the_flush_are_dropped(buffer_on, consumer, consumer_client, place_a, place_b):
    consumer_client.get(detail_url(place_a.pk))
    consumer_client.get(detail_url(place_b.pk))
    place_b.delete()

    result = flush()

    assert result.views == 1
    assert views_of(consumer) == [place_a.pk]
    assert buffer_on.xlen(view_buffer.STREAM) == 0


def test_read_when_redis_is_down_writes_synchronously(buffer_on, settings, consumer, consumer_client, place_a):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    response = consumer_client.get(detail_url(place_a.pk))
    again = consumer_client.get(detail_url(place_a.pk))  # the open circuit: not even a connection attempt

    assert response.status_code == again.status_code == 200
    assert views_of(consumer) == [place_a.pk, place_a.pk]
    assert RecentlyViewedPlace.objects.filter(user=consumer, place=place_a).count() == 1
    assert consumer_client.get(RECENT).json()["results"][0]["place"]["id"] == place_a.pk


def test_recently_viewed_is_right_before_the_flush(buffer_on, consumer, consumer_client, place_a, place_b, vendor_a):
    """An older row in the table, newer views still in the buffer: the list merges them."""
    place_c = factories.PlaceFactory(vendor=vendor_a)
    now = timezone.now()
    RecentlyViewedPlace.objects.create(user=consumer, place=place_a, viewed_at=now - timedelta(days=1))
    RecentlyViewedPlace.objects.create(user=consumer, place=place_c, viewed_at=now - timedelta(hours=1))

    consumer_client.get(detail_url(place_b.pk))
    consumer_client.get(detail_url(place_a.pk))
    before = [row["place"]["id"] for row in consumer_client.get(RECENT).json()["results"]]
    flush()
    after = [row["place"]["id"] for row in consumer_client.get(RECENT).json()["results"]]

    assert before == after == [place_a.pk, place_b.pk, place_c.pk]


def test_recently_viewed_leaves_out_a_buffered_place_made_inactive(buffer_on, consumer, consumer_client, place_a):
    consumer_client.get(detail_url(place_a.pk))
    place_a.is_active = False
    place_a.save(update_fields=["is_active"])

    assert consumer_client.get(RECENT).json()["count"] == 0


def test_a_full_batch_wakes_the_flush(buffer_on, settings, consumer, consumer_client, place_a):
    settings.PLACE_VIEW_BUFFER_BATCH = 2  # the tasks run eagerly in the tests

    consumer_client.get(detail_url(place_a.pk))
    assert views_of(consumer) == []
    consumer_client.get(detail_url(place_a.pk))

    assert views_of(consumer) == [place_a.pk, place_a.pk]
    assert buffer_on.xlen(view_buffer.STREAM) == 0


def test_the_beat_flushes_every_few_seconds(buffer_on, consumer, consumer_client, place_a):
    entry = celery_app.conf.beat_schedule["consumers-flush-place-views"]
    consumer_client.get(detail_url(place_a.pk))

    answer = flush_place_views.delay().get()

    assert entry["task"] == flush_place_views.name and entry["schedule"] <= 5
    assert answer == {"views": 1, "batches": 1, "claimed": 0}
    assert views_of(consumer) == [place_a.pk]


def test_buffer_off_writes_in_the_read(settings, consumer, consumer_client, place_a):
    settings.PLACE_VIEW_BUFFER = False

    consumer_client.get(detail_url(place_a.pk))

    assert views_of(consumer) == [place_a.pk]
    assert RecentlyViewedPlace.objects.filter(user=consumer, place=place_a).exists()
