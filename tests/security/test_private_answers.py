"""Answers given per token never reach a shared cache: `Cache-Control: private, no-store`.

The rule lives once, in foodtrucks.middleware.PrivateApiAnswersMiddleware. Every route of the
consumer's own resources (a `me` path segment) is found in the URLconf and called with each method
its view has, signed in and not: a new /me/ endpoint is covered without a new test.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from notifications.models import Device, Notification, SavedPlace
from tests import factories

PRIVATE = "private, no-store"
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
# A value for each path parameter of the /me/ routes; a route with a parameter missing here fails.
PATH_VALUES = {
    "place_id": lambda world: world["favorite"].place_id,
    # the followers' alerts: the consumer's own rows
    "saved_place_id": lambda world: world["saved_place"].pk,
    "notification_id": lambda world: world["notification"].pk,
    "device_id": lambda world: world["device"].pk,
}


def _own_resource_routes() -> list[tuple[str, str]]:
    """(method, route) of every API route with a `me` segment, for each HTTP method its view has."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                view = getattr(pattern.callback, "view_class", None)
                if route.startswith("api/") and "me" in route.split("/") and view is not None:
                    found.extend(
                        (method, route) for method in ("get", "post", "put", "patch", "delete") if hasattr(view, method)
                    )

    walk(get_resolver().url_patterns, "")
    return sorted(found)


OWN_ROUTES = _own_resource_routes()
IDS = [f"{method}-{route}" for method, route in OWN_ROUTES]


@pytest.fixture
def world(consumer, place_a):
    return {
        "user": consumer,
        "favorite": factories.FavoritePlaceFactory(user=consumer, place=place_a),
        "saved_place": SavedPlace.objects.create(user=consumer, name="Home", lat=30.3, lng=-97.7),
        "notification": Notification.objects.create(
            user=consumer, place=place_a, change_id="6f1c2a3e-0000-4000-8000-000000000002", kind="opened_nearby"
        ),
        "device": Device.objects.create(user=consumer, kind="fcm", token="x-phone-token"),
    }


def _url(route: str, world) -> str:
    return "/" + _PARAMETER.sub(lambda match: str(PATH_VALUES[match.group(1)](world)), route)


def _call(client, method: str, url: str):
    if method in ("post", "put", "patch"):
        return getattr(client, method)(url, {}, format="json")
    return getattr(client, method)(url)


def test_own_resource_routes_are_found_with_known_parameters():
    routes = {route for _, route in OWN_ROUTES}
    assert {"api/v1/me/", "api/v1/me/favorites/", "api/v1/me/recently-viewed/"} <= routes
    parameters = {name for route in routes for name in _PARAMETER.findall(route)}
    assert sorted(parameters - PATH_VALUES.keys()) == [], "add the new path parameters to PATH_VALUES"


@pytest.mark.parametrize(("method", "route"), OWN_ROUTES, ids=IDS)
def test_own_resource_answer_signed_in_is_private_no_store(consumer_client, world, method, route):
    # given a signed-in consumer with a favorite
    # when they call one of their own resources, with any method it takes
    response = _call(consumer_client, method, _url(route, world))
    # then the answer, whatever it is, stays out of shared caches
    assert response.status_code < 500
    assert response["Cache-Control"] == PRIVATE
    assert "Authorization" in response["Vary"]


@pytest.mark.parametrize(("method", "route"), OWN_ROUTES, ids=IDS)
def test_own_resource_answer_without_a_token_is_private_too(api_client, world, method, route):
    response = _call(api_client, method, _url(route, world))
    assert response.status_code == 401
    assert response["Cache-Control"] == PRIVATE


@pytest.mark.django_db
def test_register_and_log_in_answer_a_token_privately(api_client):
    # when someone signs up and then logs in
    registered = api_client.post(
        reverse("api-register"),
        {
            "email": "ana@example.com",
            "password": "a-long-Unusual-passphrase-42",
            "first_name": "Ana",
            "last_name": "Ruiz",
            "phone_number": "+14155550199",
        },
        format="json",
    )
    logged_in = api_client.post(
        reverse("api-token"), {"email": "ana@example.com", "password": "a-long-Unusual-passphrase-42"}, format="json"
    )
    refused = api_client.post(reverse("api-token"), {"email": "ana@example.com", "password": "wrong"}, format="json")
    # then every answer (tokens and the refusal) is private
    assert [registered.status_code, logged_in.status_code, refused.status_code] == [201, 200, 400]
    assert {registered["Cache-Control"], logged_in["Cache-Control"], refused["Cache-Control"]} == {PRIVATE}


def test_place_detail_signed_in_is_private_and_anonymous_is_not(api_client, consumer_client, place_a):
    # given the same place read with a token (it records a view and joins recently viewed) and without
    url = reverse("api-place-detail", kwargs={"place_id": place_a.pk})
    signed_in = consumer_client.get(url)
    anonymous = api_client.get(url)
    # then only the signed-in answer is private (its own cache may keep it and revalidate by its
    # ETag); the anonymous one any cache may keep, revalidating; both vary by Authorization
    assert (signed_in.status_code, signed_in["Cache-Control"]) == (200, "private, no-cache")
    assert (anonymous.status_code, anonymous["Cache-Control"]) == (200, "no-cache")
    assert signed_in["ETag"] == anonymous["ETag"]
    assert "Authorization" in signed_in["Vary"] and "Authorization" in anonymous["Vary"]


def test_public_search_read_anonymously_is_not_marked_private(api_client, place_a):
    response = api_client.get(reverse("api-places"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache" and response.has_header("ETag")


def test_api_error_answered_by_the_edge_to_a_token_is_private(consumer_client):
    # a 400 from the JSON guard, before any view: the rule is judged from the request alone
    response = consumer_client.post(reverse("events-batch"), b"[" * 100, content_type="application/json")
    assert response.status_code == 400
    assert response["Cache-Control"] == PRIVATE


@pytest.mark.django_db
def test_answers_outside_the_api_are_left_alone(client):
    # the probe keeps its own never_cache header, untouched, and does not vary by Authorization
    response = client.get("/healthz", HTTP_AUTHORIZATION="Token abc")
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert not response.has_header("Vary")
