"""POST /api/v1/events/: a batch is stored whole or not at all, and a retry is stored once."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.models import InteractionType, UserInteraction
from api.events.views import EventBatchRateThrottle
from tests import factories

URL = "/api/v1/events/"


def _event(of_place, **overrides) -> dict:
    event = {
        "client_id": str(uuid.uuid4()),
        "place": of_place.pk,
        "type": "CLICK",
        "occurred_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
    }
    event.update(overrides)
    return event


def test_events_url_is_named():
    assert reverse("events-batch") == URL


def test_events_valid_batch_is_stored_with_the_token_user(consumer, consumer_client, place_a):
    # given
    batch = [
        _event(place_a, lat=30.25, lng=-97.75),
        _event(place_a, type="NEARBY_DETECTION"),
        _event(place_a, type="VIEW", dwell_ms=42_000),
    ]
    # when
    response = consumer_client.post(URL, {"events": batch}, format="json")
    # then
    assert response.status_code == 201
    assert response.json() == {"accepted": 3, "duplicates": 0}
    stored = {str(e.client_id): e for e in UserInteraction.objects.all()}
    assert set(stored) == {item["client_id"] for item in batch}
    assert {e.user_id for e in stored.values()} == {consumer.pk}
    first = stored[batch[0]["client_id"]]
    assert (first.type, first.lat, first.lng, first.dwell_ms) == (InteractionType.CLICK, 30.25, -97.75, None)
    assert stored[batch[2]["client_id"]].dwell_ms == 42_000


def test_events_same_batch_twice_is_stored_once(consumer_client, place_a):
    # given
    batch = [_event(place_a), _event(place_a)]
    consumer_client.post(URL, {"events": batch}, format="json")
    # when
    response = consumer_client.post(URL, {"events": batch}, format="json")
    # then
    assert response.status_code == 200
    assert response.json() == {"accepted": 0, "duplicates": 2}
    assert UserInteraction.objects.count() == 2


def test_events_repeated_within_a_batch_count_once(consumer_client, place_a):
    # given
    event = _event(place_a)
    # when
    response = consumer_client.post(URL, {"events": [event, event, _event(place_a)]}, format="json")
    # then
    assert response.status_code == 201
    assert response.json() == {"accepted": 2, "duplicates": 1}
    assert UserInteraction.objects.count() == 2


def test_events_batch_with_one_unknown_place_stores_nothing_and_names_the_item(consumer_client, place_a):
    # given: the fourth event names a place that does not exist
    batch = [_event(place_a) for _ in range(3)] + [{**_event(place_a), "place": 999_999}]
    # when
    response = consumer_client.post(URL, {"events": batch}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == {"events.3.place": ["Unknown or inactive place."]}
    assert UserInteraction.objects.count() == 0


def test_events_inactive_place_is_refused(consumer_client, place_a):
    # given
    hidden = factories.PlaceFactory(is_active=False)
    # when
    response = consumer_client.post(URL, {"events": [_event(place_a), _event(hidden)]}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == {"events.1.place": ["Unknown or inactive place."]}
    assert UserInteraction.objects.count() == 0


@pytest.mark.parametrize(
    ("occurred_at", "message"),
    [
        (timedelta(minutes=6), "The event time is in the future."),
        (-timedelta(days=7, minutes=1), "The event is too old to be accepted."),
    ],
)
def test_events_time_out_of_window_is_refused(consumer_client, place_a, occurred_at, message):
    # given
    event = _event(place_a, occurred_at=(timezone.now() + occurred_at).isoformat())
    # when
    response = consumer_client.post(URL, {"events": [event]}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == {"events.0.occurred_at": [message]}
    assert UserInteraction.objects.count() == 0


def test_events_time_inside_the_window_edges_is_accepted(consumer_client, place_a):
    # given: 4 minutes ahead (clock drift) and 6 days 23 hours old
    batch = [
        _event(place_a, occurred_at=(timezone.now() + timedelta(minutes=4)).isoformat()),
        _event(place_a, occurred_at=(timezone.now() - timedelta(days=6, hours=23)).isoformat()),
    ]
    # when
    response = consumer_client.post(URL, {"events": batch}, format="json")
    # then
    assert response.json() == {"accepted": 2, "duplicates": 0}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"lat": 91.0, "lng": 10.0}, {"lat": ["Ensure this value is less than or equal to 90.0."]}),
        ({"lat": 10.0, "lng": -181.0}, {"lng": ["Ensure this value is greater than or equal to -180.0."]}),
        ({"lat": 10.0}, {"lng": ["Give both latitude and longitude, or neither."]}),
        ({"lng": 10.0}, {"lat": ["Give both latitude and longitude, or neither."]}),
        (
            {"type": "VIEW", "dwell_ms": 86_400_001},
            {"dwell_ms": ["Ensure this value is less than or equal to 86400000."]},
        ),
        ({"type": "VIEW", "dwell_ms": -1}, {"dwell_ms": ["Ensure this value is greater than or equal to 0."]}),
        ({"type": "VIEW"}, {"dwell_ms": ["A VIEW event reports a dwell time: dwell_ms is required."]}),
        ({"dwell_ms": 10}, {"dwell_ms": ["Only VIEW events carry a dwell time."]}),
        ({"type": "RATING"}, {"type": ['"RATING" is not a valid choice.']}),
        ({"client_id": "not-a-uuid"}, {"client_id": ["Must be a valid UUID."]}),
        ({"place": 10**20}, {"place": ["Unknown or inactive place."]}),
        ({"place": "twelve"}, {"place": ["A valid integer is required."]}),
        (
            {"occurred_at": "yesterday"},
            {
                "occurred_at": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
    ],
)
def test_events_bad_field_is_refused_with_its_message(consumer_client, place_a, fields, errors):
    # when
    response = consumer_client.post(URL, {"events": [_event(place_a), _event(place_a, **fields)]}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == {f"events.1.{field}": messages for field, messages in errors.items()}
    assert UserInteraction.objects.count() == 0


def test_events_batch_of_101_is_refused(consumer_client, place_a):
    # when
    response = consumer_client.post(URL, {"events": [_event(place_a) for _ in range(101)]}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "events.non_field_errors": ["Ensure this field has no more than 100 elements."]
    }
    assert UserInteraction.objects.count() == 0


def test_events_batch_of_100_is_accepted(consumer_client, place_a):
    # when
    response = consumer_client.post(URL, {"events": [_event(place_a) for _ in range(100)]}, format="json")
    # then
    assert response.json() == {"accepted": 100, "duplicates": 0}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"events": []}, {"events.non_field_errors": ["This list may not be empty."]}),
        ({}, {"events": ["This field is required."]}),
        ({"events": "nope"}, {"events.non_field_errors": ['Expected a list of items but got type "str".']}),
    ],
)
def test_events_malformed_body_is_refused(consumer_client, body, errors):
    # when
    response = consumer_client.post(URL, body, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == errors


def test_events_unauthenticated_is_refused(api_client, place_a):
    # when
    response = api_client.post(URL, {"events": [_event(place_a)]}, format="json")
    # then
    assert response.status_code == 401
    assert UserInteraction.objects.count() == 0


def test_events_batches_are_throttled_per_user(consumer_client, place_a, monkeypatch):
    # given: two batches a minute
    monkeypatch.setattr(EventBatchRateThrottle, "THROTTLE_RATES", {"events": "2/min"})
    for _ in range(2):
        consumer_client.post(URL, {"events": [_event(place_a)]}, format="json")
    # when
    response = consumer_client.post(URL, {"events": [_event(place_a)]}, format="json")
    # then
    assert response.status_code == 429
    assert UserInteraction.objects.count() == 2


def test_events_batch_costs_three_queries(consumer_client, place_a, django_assert_num_queries):
    # given
    batch = [_event(place_a) for _ in range(50)]
    # when: token lookup, active places, one insert
    with django_assert_num_queries(3):
        response = consumer_client.post(URL, {"events": batch}, format="json")
    # then
    assert response.json() == {"accepted": 50, "duplicates": 0}


def test_events_schema_documents_request_response_and_errors(staff_user):
    # given
    from conftest import token_client

    client = token_client(staff_user)
    # when
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    # then
    operation = schema["paths"]["/api/v1/events/"]["post"]
    assert set(operation["responses"]) >= {"200", "201", "400", "401", "429"}
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("EventBatchInputRequest")
    assert (
        operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
    )


def test_events_place_id_as_a_string_is_accepted(consumer_client, place_a):
    # when
    response = consumer_client.post(URL, {"events": [_event(place_a, place=str(place_a.pk))]}, format="json")
    # then
    assert response.status_code == 201
    assert UserInteraction.objects.get().place_id == place_a.pk


def test_events_body_that_is_not_an_object_is_refused(consumer_client):
    # when
    response = consumer_client.post(URL, [1, 2], format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}
