"""events_ingest: a batch is stored once."""

import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from analytics import ingest
from analytics.ingest import ClientEvent, events_ingest
from analytics.models import UserInteraction


def _events(place, count: int) -> list[ClientEvent]:
    return [
        ClientEvent(client_id=uuid.uuid4(), place_id=place.pk, type="CLICK", occurred_at=timezone.now())
        for _ in range(count)
    ]


def test_ingest_counts_retries_and_repeats_as_duplicates(consumer, place_a):
    # given
    first = _events(place_a, 3)
    events_ingest(user_id=consumer.pk, events=first)
    # when: a retry of two of them, one of those twice, and one new event
    result = events_ingest(user_id=consumer.pk, events=[first[0], first[1], first[1], *_events(place_a, 1)])
    # then
    assert (result.accepted, result.duplicates) == (1, 3)
    assert UserInteraction.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_ingest_two_concurrent_uploads_of_one_batch_store_it_once(consumer, place_a):
    # given: the app retries while the first upload is still in flight
    batch = _events(place_a, 50)
    results = []
    barrier = threading.Barrier(2)

    def upload():
        barrier.wait()
        try:
            results.append(ingest.events_ingest(user_id=consumer.pk, events=batch))
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: stored once, and the two answers add up to exactly one batch
    assert UserInteraction.objects.count() == 50
    assert sorted((r.accepted, r.duplicates) for r in results) == [(0, 50), (50, 0)]
