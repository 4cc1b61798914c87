"""POST vendor/places/{id}/location/ under concurrency: the newest check-in is stored, and every client is
answered a state that was stored (a request that lost is told the winner's state, not its own)."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conftest import token_client
from trucks.models import Place

THREADS = 20
ROUNDS = 3


def checkin_url(place_id: int) -> str:
    return f"/api/v1/vendor/places/{place_id}/location/"


def _post_together(user, place_id: int, payloads: list[dict]) -> list[dict]:
    """Every payload posted from its own thread (own client, own connection), released at once."""
    barrier = threading.Barrier(len(payloads))
    answers: list[dict | BaseException] = [{}] * len(payloads)

    def run(index: int, payload: dict) -> None:
        try:
            client = token_client(user)
            barrier.wait(timeout=30)
            response = client.post(checkin_url(place_id), payload, format="json")
            assert response.status_code == 200, response.content
            answers[index] = response.json()
        except BaseException as error:  # handed to the test's thread, which raises it
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, payload)) for i, payload in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    return answers


def _state(answer: dict) -> tuple:
    return (answer["is_open"], answer["lat"], answer["lng"])


@pytest.mark.django_db(transaction=True)
def test_concurrent_api_check_ins_store_the_newest_acknowledged_one(staff_a, place_a):
    for number in range(ROUNDS):
        # when 20 members' phones check the truck in at once, each somewhere else
        payloads = [
            {"lat": 30.0 + number + i / 1000, "lng": -97.0 - i / 1000, "is_open": i % 2 == 0} for i in range(THREADS)
        ]
        answers = _post_together(staff_a, place_a.pk, payloads)

        # then what is stored is the newest time any client was told, with the state told with it
        told = {datetime.fromisoformat(answer["open_changed_at"]): _state(answer) for answer in answers}
        place = Place.objects.get(pk=place_a.pk)
        assert place.open_changed_at == place.location_updated_at == max(told)
        assert (place.is_open, place.lat, place.lng) == told[max(told)]
        # and one time was never told with two states, each a state one of the requests asked for
        for answer in answers:
            assert _state(answer) == told[datetime.fromisoformat(answer["open_changed_at"])]
        assert set(told.values()) <= {(p["is_open"], p["lat"], p["lng"]) for p in payloads}


@pytest.mark.django_db
def test_check_in_older_than_the_stored_one_is_answered_the_stored_state(staff_a, place_a):
    # given a check-in stamped a minute from now (a newer request that committed first)
    newer = timezone.now() + timedelta(minutes=1)
    Place.objects.filter(pk=place_a.pk).update(
        is_open=True, open_changed_at=newer, lat=30.3, lng=-97.7, location_updated_at=newer
    )

    # when this (older) request arrives
    response = token_client(staff_a).post(
        checkin_url(place_a.pk), {"lat": 31.0, "lng": -98.0, "is_open": False}, format="json"
    )

    # then it is answered what is stored, which it did not change
    assert response.status_code == 200
    body = response.json()
    assert (body["is_open"], body["lat"], body["lng"], datetime.fromisoformat(body["open_changed_at"])) == (
        True,
        30.3,
        -97.7,
        newer,
    )
    place_a.refresh_from_db()
    assert (place_a.is_open, place_a.lat, place_a.lng, place_a.open_changed_at) == (True, 30.3, -97.7, newer)
