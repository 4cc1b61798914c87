"""Bad input at every door: each gets a clear 4xx (never a 500), nothing is stored half-way, and
text that looks like SQL or HTML is data: escaped on pages, returned as-is by the API.

Hostile JSON bodies are sent to every API route that takes a body, found in the URLconf: a new
endpoint is covered without a new test (it only needs its path parameters in PATH_VALUES)."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.views import APIView

from accounts.models import User
from analytics.models import UserInteraction
from consumers.models import FavoritePlace
from notifications.models import AlertPreferences, Device, LastLocation, Notification, SavedPlace
from ratings.models import Rating
from tests import factories
from trucks.models import Photo, Place
from vendors.models import BusinessCertificate

UNICODE_NAME = "Zoë 🌮 Ñandú — 東京 \u200b"
SCRIPT = "<script>alert('x')</script>"
SQL = "'; DROP TABLE trucks_place; --"


def _register_body(**overrides):
    body = {
        "email": "new@example.com",
        "password": "a-long-Unusual-passphrase-42",
        "first_name": "Ana",
        "last_name": "Ruiz",
        "phone_number": "+14155550199",
    }
    return {**body, **overrides}


# --- the API ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    ['{"email": "a@b.c", "password": ', "[1, 2, 3]", '"just a string"', "null", "\x00\xff\xfe"],
    ids=["truncated", "array", "string", "null", "binary"],
)
def test_register_with_malformed_json_answers_400_and_stores_nobody(api_client, raw):
    response = api_client.post(reverse("api-register"), raw, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}
    assert User.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("email", 42), ("password", ["x"]), ("first_name", {"a": 1}), ("phone_number", 4155550199), ("dob", "yesterday")],
)
def test_register_with_wrong_types_answers_400_on_that_field(api_client, field, value):
    response = api_client.post(reverse("api-register"), _register_body(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_register_with_unicode_names_keeps_them_exactly(api_client):
    response = api_client.post(
        reverse("api-register"), _register_body(first_name=UNICODE_NAME, last_name=SCRIPT), format="json"
    )
    assert response.status_code == 201
    user = User.objects.get(email="new@example.com")
    assert (user.first_name, user.last_name) == (UNICODE_NAME, SCRIPT)


def test_huge_json_body_answers_413_and_the_server_stays_up(consumer_client, settings):
    body = json.dumps({"review": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = consumer_client.post("/api/v1/me/favorites/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Request body too large")
    assert consumer_client.get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize("review", [UNICODE_NAME, SCRIPT, SQL])
def test_rating_review_with_unicode_html_or_sql_is_stored_and_returned_as_data(consumer_client, place_a, review):
    url = reverse("api-place-ratings", kwargs={"place_id": place_a.pk})
    response = consumer_client.post(url, {"stars": "4.5", "review": review}, format="json")
    assert response.status_code == 201
    assert response.json()["review"] == review
    assert Rating.objects.get(place=place_a).review == review


@pytest.mark.parametrize("stars", ["0.5", "5.5", "4.3", "abc", None, [], "NaN", "Infinity"])
def test_rating_with_bad_stars_answers_400_and_stores_nothing(consumer_client, place_a, stars):
    url = reverse("api-place-ratings", kwargs={"place_id": place_a.pk})
    response = consumer_client.post(url, {"stars": stars}, format="json")
    assert response.status_code == 400
    assert "stars" in response.json()["errors"]
    assert not Rating.objects.exists()
    place_a.refresh_from_db()
    assert place_a.rating_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"lat": "91", "lng": "0"},
        {"lat": "0", "lng": "-180.5"},
        {"lat": "NaN", "lng": "0"},
        {"lat": "1e400", "lng": "0"},
        {"lat": "30", "lng": "-97", "radius_km": "-1"},
        {"lat": "30", "lng": "-97", "radius_km": "51"},
        {"lat": "30"},
        {"ordering": "password"},
        {"page_size": "-5"},
        {"page": "99999"},
        {"category": "x" * 5000},
    ],
)
def test_place_search_with_bad_parameters_answers_a_clear_4xx(api_client, query):
    response = api_client.get(reverse("api-places"), query)
    assert response.status_code in (400, 404)
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.parametrize("text", [SQL, SCRIPT, UNICODE_NAME, "%", "_", "\\", "' OR 1=1 --"])
def test_place_search_text_is_data_not_sql(api_client, place_a, place_b, text):
    response = api_client.get(reverse("api-places"), {"q": text})
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert Place.objects.count() == 2


def test_place_with_a_script_name_is_returned_as_data_by_the_api(api_client, vendor_a):
    place = factories.PlaceFactory(vendor=vendor_a, name=SCRIPT)
    response = api_client.get(reverse("api-place-detail", kwargs={"place_id": place.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["name"] == SCRIPT


@pytest.mark.parametrize(
    ("lat", "lng"), [(90.5, 0), (0, 181), ("north", 0), (None, 0)], ids=["lat", "lng", "text", "null"]
)
def test_check_in_with_coordinates_out_of_range_answers_400_and_keeps_the_location(owner_a, place_a, lat, lng):
    from conftest import token_client

    url = reverse("api-vendor-place-check-in", kwargs={"place_id": place_a.pk})
    response = token_client(owner_a).post(url, {"lat": lat, "lng": lng, "is_open": True}, format="json")
    assert response.status_code == 400
    place_a.refresh_from_db()
    assert (place_a.lat, place_a.lng, place_a.is_open) == (30.2672, -97.7431, False)


# --- hostile JSON bodies, on every API route that takes one ------------------------------------------

DEEP = "arrays and objects nest deeper than 64 levels."
HOSTILE_BODIES = {
    "nested-10000-arrays": (b"[" * 10_000 + b"]" * 10_000, DEEP),
    "nested-10000-objects": (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, DEEP),
    "nested-65-in-a-field": (b'{"events": ' + b"[" * 64 + b"]" * 64 + b"}", DEEP),
    "number-1e999999": (b'{"place": 1e999999, "stars": 1e999999, "lat": 1e999999}', "a number is too large."),
    "integer-100000-digits": (b'{"place": ' + b"9" * 100_000 + b"}", "a number is longer than 100 characters."),
    "NaN": (b'{"place": NaN, "stars": NaN}', "NaN is not a JSON number."),
    "Infinity": (b'{"lat": Infinity, "lng": 0, "is_open": true}', "Infinity is not a JSON number."),
    "minus-Infinity": (b'{"stars": -Infinity}', "-Infinity is not a JSON number."),
    "invalid-utf8": (b'{"review": "\xff\xfe"}', "the body is not valid utf-8 (byte 12)."),
    "lone-surrogate-value": (
        b'{"review": "\\ud800", "stars": "4.5"}',
        "a string holds an unpaired surrogate (\\ud800 to \\udfff), which is not text.",
    ),
    "lone-surrogate-key": (
        b'{"\\udc00": 1, "place": 1}',
        "a string holds an unpaired surrogate (\\ud800 to \\udfff), which is not text.",
    ),
    "truncated": (b'{"events": [', "Expecting value: line 1 column 13 (char 12)"),
}
# A value for each path parameter of the API: the signed-in owner's own objects, so that every route
# gets as far as it can. A route with a parameter missing here fails test_every_body_route_is_covered.
PATH_VALUES = {
    "place_id": lambda world: world["place"].pk,
    "rating_id": lambda world: world["rating"].pk,
    "vendor_id": lambda world: world["place"].vendor_id,
    "saved_place_id": lambda world: world["saved_place"].pk,
    "notification_id": lambda world: world["notification"].pk,
}
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _api_body_routes() -> list[tuple[str, str]]:
    """(method, route) of every API route whose view takes POST, PUT or PATCH, from the URLconf."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and prefix.startswith("api/"):
                view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
                for method in ("post", "put", "patch"):
                    if view is not None and hasattr(view, method):
                        found.append((method, prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "")
    return sorted(found)


BODY_ROUTES = _api_body_routes()


@pytest.fixture
def body_world(owner_a, place_a):
    """The owner of place A, signed in with a token, with a rating and a favorite of their own."""
    return {
        "user": owner_a,
        "token": Token.objects.create(user=owner_a),
        "place": place_a,
        "rating": factories.RatingFactory(user=owner_a, place=place_a),
        "favorite": factories.FavoritePlaceFactory(user=owner_a, place=place_a),
        "saved_place": SavedPlace.objects.create(user=owner_a, name="Home", lat=30.3, lng=-97.7),
        "notification": Notification.objects.create(
            user=owner_a, place=place_a, change_id="6f1c2a3e-0000-4000-8000-000000000003", kind="opened_nearby"
        ),
    }


def _url(route: str, world) -> str:
    return "/" + _PARAMETER.sub(lambda match: str(PATH_VALUES[match.group(1)](world)), route)


def _stored(world) -> tuple:
    """Everything a body could have changed."""
    place = Place.objects.get(pk=world["place"].pk)
    rating = Rating.objects.get(pk=world["rating"].pk)
    return (
        User.objects.count(),
        Token.objects.filter(key=world["token"].key).exists(),
        (place.lat, place.lng, place.is_open),
        (rating.stars, rating.review, Rating.objects.count()),
        FavoritePlace.objects.count(),
        UserInteraction.objects.count(),
        list(SavedPlace.objects.values_list("name", "lat", "lng")),
        list(Notification.objects.values_list("read_at", flat=True)),
        list(AlertPreferences.objects.values_list("radius_km", flat=True)),
        list(LastLocation.objects.values_list("lat", flat=True)),
        list(Device.objects.values_list("token", flat=True)),
    )


def test_every_body_route_is_found_and_its_parameters_are_known():
    # the URLconf's routes that take a body include the drill's three, and every path parameter has a value
    assert {("post", "api/v1/events/"), ("post", "api/v1/auth/token/"), ("post", "api/v1/auth/register/")} <= set(
        BODY_ROUTES
    )
    parameters = {name for _, route in BODY_ROUTES for name in _PARAMETER.findall(route)}
    assert sorted(parameters - PATH_VALUES.keys()) == [], "add the new path parameters to PATH_VALUES"


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=str)
@pytest.mark.parametrize(("method", "route"), BODY_ROUTES, ids=[f"{m}-{r}" for m, r in BODY_ROUTES])
def test_hostile_json_body_on_any_api_route_is_400_and_changes_nothing(api_client, body_world, method, route, body):
    # given a signed-in owner and their own place, rating and favorite
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {body_world['token'].key}")
    before = _stored(body_world)
    raw, reason = HOSTILE_BODIES[body]
    # when a hostile body is sent to the route
    response = getattr(api_client, method)(_url(route, body_world), raw, content_type="application/json")
    # then it is refused in the one error shape, saying why, and nothing was written
    assert response.status_code == 400
    assert response.json() == {"detail": f"JSON parse error - {reason}", "errors": {}}
    assert _stored(body_world) == before


@pytest.mark.parametrize(("method", "route"), BODY_ROUTES, ids=[f"{m}-{r}" for m, r in BODY_ROUTES])
def test_oversized_json_body_on_any_api_route_is_413_and_changes_nothing(
    api_client, body_world, settings, method, route
):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {body_world['token'].key}")
    before = _stored(body_world)
    raw = json.dumps({"review": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = getattr(api_client, method)(_url(route, body_world), raw, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: the limit is 1 MB.", "errors": {}}
    assert _stored(body_world) == before


@pytest.mark.parametrize(("method", "route"), BODY_ROUTES, ids=[f"{m}-{r}" for m, r in BODY_ROUTES])
def test_hostile_json_body_is_refused_before_authentication(api_client, body_world, method, route):
    # given no credentials at all: the body is refused before anything looks for a user
    raw, reason = HOSTILE_BODIES["nested-10000-arrays"]
    response = getattr(api_client, method)(_url(route, body_world), raw, content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"detail": f"JSON parse error - {reason}", "errors": {}})


def test_body_routes_are_drf_views_reading_json_only():
    # every route found is a DRF view, whose only parser is the project's (foodtrucks/api_parsers.py)
    for _, route in BODY_ROUTES:
        match = get_resolver().resolve("/" + _PARAMETER.sub("1", route))
        view = match.func.view_class
        assert issubclass(view, APIView), route
        assert [parser.__module__ + "." + parser.__name__ for parser in view().parser_classes] == [
            "foodtrucks.api_parsers.JSONParser"
        ], route


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/portal/login/", "/portal/places/new/", "/admin/login/", "/healthz"])
def test_hostile_json_body_outside_the_api_is_a_400_page(client, path):
    # given a door that reads forms, not JSON: a body declared as JSON is still checked before any view
    raw, reason = HOSTILE_BODIES["nested-10000-objects"]
    response = client.post(path, raw, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert f"JSON parse error - {reason}" in response.content.decode()


@pytest.mark.django_db
def test_json_body_in_a_charset_that_is_no_text_encoding_is_400(api_client):
    response = api_client.post(reverse("api-token"), b"BZh91AY&SY", content_type="application/json; charset=bz2_codec")
    assert response.status_code == 400
    assert response.json() == {
        "detail": 'JSON parse error - the charset "bz2_codec" is not a text encoding.',
        "errors": {},
    }


# --- the portal -------------------------------------------------------------------------------------


def _place_form(**overrides):
    body = {
        "kind": "truck",
        "name": "Taco Truck",
        "description": "",
        "time_zone": "America/Chicago",
        "address": "",
        "city": "Austin",
        "state": "TX",
        "lat": "30.2",
        "lng": "-97.7",
    }
    return {**body, **overrides}


def test_portal_place_with_unicode_and_script_name_is_stored_and_rendered_escaped(client, owner_a, vendor_a):
    client.force_login(owner_a)
    name = f"{UNICODE_NAME} {SCRIPT}"
    response = client.post(reverse("portal:place_create"), _place_form(name=name))
    assert response.status_code == 302
    assert Place.objects.get(vendor=vendor_a).name == name
    for page in ("portal:places", "portal:dashboard"):
        html = client.get(reverse(page)).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


@pytest.mark.parametrize(("lat", "lng"), [("90.1", "0"), ("0", "-181"), ("abc", "0"), ("NaN", "0"), ("1e999", "0")])
def test_portal_place_with_coordinates_out_of_range_is_refused_with_a_field_message(client, owner_a, lat, lng):
    client.force_login(owner_a)
    response = client.post(reverse("portal:place_create"), _place_form(lat=lat, lng=lng))
    assert response.status_code == 400
    form = response.context["form"]
    assert {"lat", "lng"} & set(form.errors)
    assert not Place.objects.exists()


def test_portal_certificate_that_lies_about_its_type_is_refused_and_not_stored(client, s3, owner_a):
    client.force_login(owner_a)
    before = s3.list_objects_v2(Bucket="foodtrucks-test-private").get("KeyCount", 0)
    fake = SimpleUploadedFile("permit.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    response = client.post(reverse("portal:certificates"), {"kind": "health_permit", "file": fake})
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert not BusinessCertificate.objects.exists()
    assert s3.list_objects_v2(Bucket="foodtrucks-test-private").get("KeyCount", 0) == before


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("photo.png", b"%PDF-1.4 not an image"),
        ("photo.jpg", b"<svg onload=alert(1)></svg>"),
        ("photo.png", b"\x89PNG\r\n\x1a\ntruncated"),
    ],
    ids=["pdf-as-png", "svg-as-jpg", "broken-png"],
)
def test_portal_photo_that_lies_about_its_type_is_refused_and_not_stored(client, owner_a, place_a, filename, data):
    client.force_login(owner_a)
    upload = SimpleUploadedFile(filename, data, content_type="image/png")
    response = client.post(reverse("portal:place_photos", kwargs={"pk": place_a.pk}), {"image": upload})
    assert response.status_code == 400
    assert "image" in response.context["form"].errors
    assert not Photo.objects.exists()


def test_portal_form_with_a_huge_body_answers_413(client, owner_a, settings):
    client.force_login(owner_a)
    response = client.post(
        reverse("portal:place_create"), _place_form(description="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10))
    )
    assert response.status_code == 413
    assert not Place.objects.exists()
    assert client.get(reverse("portal:dashboard")).status_code == 200
