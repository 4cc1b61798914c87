"""Concurrent check-ins: the newest request wins, whatever order they commit in, and each is answered
the state that is stored when it commits.

Real threads, each with its own database connection (transaction=True: nothing is rolled back around
them), released together by a barrier; then one request against a newer stored state, as a request that
lost the race meets it.
"""

import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from tests import factories
from trucks.models import LocationSource, Place
from trucks.services import place_check_in

THREADS = 20
ROUNDS = 5
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
STATE = ("is_open", "open_changed_at", "lat", "lng", "location_updated_at")


@dataclass(frozen=True)
class CheckIn:
    at: datetime | None
    is_open: bool
    lat: float | None
    lng: float | None


def _check_in_together(place_id: int, requests: list[CheckIn]) -> list[dict]:
    """Run every request in its own thread and connection, all released at once; their answers, in order."""
    barrier = threading.Barrier(len(requests))
    answers: list[dict | BaseException] = [{}] * len(requests)

    def run(index: int, request: CheckIn) -> None:
        try:
            place = Place.objects.get(pk=place_id)
            barrier.wait(timeout=30)
            answered = place_check_in(
                place=place,
                lat=request.lat,
                lng=request.lng,
                is_open=request.is_open,
                source=LocationSource.API,
                at=request.at,
            )
            answers[index] = {name: getattr(answered, name) for name in STATE}
        except BaseException as error:  # handed to the test's thread, which raises it
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    return answers


def _round(rng: random.Random, number: int) -> list[CheckIn]:
    """THREADS requests with distinct times, in a shuffled order; every third one without a location."""
    offsets = list(range(THREADS))
    rng.shuffle(offsets)
    return [
        CheckIn(
            at=T0 + timedelta(minutes=number, milliseconds=offset),
            is_open=offset % 2 == 0,
            lat=None if offset % 3 == 0 else 30.0 + offset / 1000,
            lng=None if offset % 3 == 0 else -97.0 - offset / 1000,
        )
        for offset in offsets
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_store_the_newest_request_in_every_round():
    # given a truck that has never checked in
    place = factories.PlaceFactory(lat=None, lng=None, location_updated_at=None, open_changed_at=None, is_open=False)
    rng = random.Random(20261201)
    # every state a check-in made, by its time; None: the place as it was before any
    made: dict[datetime | None, CheckIn] = {None: CheckIn(at=None, is_open=False, lat=None, lng=None)}

    for number in range(ROUNDS):
        # when 20 check-ins with distinct times run at once
        requests = _round(rng, number)
        made |= {request.at: request for request in requests}
        answers = _check_in_together(place.pk, requests)

        # then the open switch is the newest request's, and the location the newest located request's
        newest = max(requests, key=lambda request: request.at)
        newest_located = max((r for r in requests if r.lat is not None), key=lambda request: request.at)
        stored = Place.objects.values(*STATE).get(pk=place.pk)
        assert stored == {
            "is_open": newest.is_open,
            "open_changed_at": newest.at,
            "lat": newest_located.lat,
            "lng": newest_located.lng,
            "location_updated_at": newest_located.at,
        }, f"round {number}"
        # and every answer is a state that was stored: the switch and the location of the requests whose
        # times it names (a location may be an earlier round's), never older than the request's own time,
        # never newer than what is stored now
        for request, answer in zip(requests, answers, strict=True):
            switched, located = made[answer["open_changed_at"]], made[answer["location_updated_at"]]
            assert (answer["is_open"], answer["lat"], answer["lng"]) == (switched.is_open, located.lat, located.lng)
            assert request.at <= answer["open_changed_at"] <= stored["open_changed_at"]
            if request.lat is not None:
                assert request.at <= answer["location_updated_at"] <= stored["location_updated_at"]


# --- one request against a newer stored state (what a request that lost the race meets) -------------


@pytest.fixture
def checked_in(place_a):
    """place_a, open at 30.3, -97.7 since a check-in at T0 + 1 minute."""
    newer = T0 + timedelta(minutes=1)
    Place.objects.filter(pk=place_a.pk).update(
        is_open=True, open_changed_at=newer, lat=30.3, lng=-97.7, location_updated_at=newer, address="Rainey St"
    )
    place_a.refresh_from_db()
    return place_a


def _stored(place_id: int) -> dict:
    return Place.objects.values(*STATE, "address", "location_source").get(pk=place_id)


@pytest.mark.django_db
@pytest.mark.parametrize("at", [T0, T0 + timedelta(minutes=1)], ids=["older", "same-time"])
def test_check_in_not_newer_than_the_stored_one_changes_nothing_and_is_answered_the_stored_state(checked_in, at):
    before = _stored(checked_in.pk)

    answered = place_check_in(
        place=checked_in, lat=31.0, lng=-98.0, is_open=False, source=LocationSource.API, address="Elm St", at=at
    )

    assert _stored(checked_in.pk) == before
    assert {name: getattr(answered, name) for name in before} == before


@pytest.mark.django_db
def test_check_in_older_than_the_stale_switch_close_moves_the_location_and_keeps_the_close(place_a):
    # given the stale-switch job closed the truck at T0 + 1 minute; its location is from an hour before T0
    closed = T0 + timedelta(minutes=1)
    Place.objects.filter(pk=place_a.pk).update(
        is_open=False, open_changed_at=closed, lat=30.3, lng=-97.7, location_updated_at=T0 - timedelta(hours=1)
    )

    # when a check-in made at T0 arrives afterwards
    answered = place_check_in(place=place_a, lat=31.0, lng=-98.0, is_open=True, source=LocationSource.API, at=T0)

    # then its location is the newest one and is stored; the switch keeps the newer close
    expected = {"is_open": False, "open_changed_at": closed, "lat": 31.0, "lng": -98.0, "location_updated_at": T0}
    assert {name: getattr(answered, name) for name in STATE} == expected
    assert Place.objects.values(*STATE).get(pk=place_a.pk) == expected
