"""Fuzzing the API: schemathesis against the app's own OpenAPI schema, served by a live server.

Every operation of /api/v1/ is called with generated input as a consumer and as a vendor owner.
No answer may be a 5xx, and every answer must be what the schema says (a documented status code,
the documented content type, a body that conforms).
"""

from collections import Counter
from decimal import Decimal

import pytest
import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from trucks.models import PlaceKind
from vendors.models import Role

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Rates no fuzz run reaches: the limits themselves are tested in the apps' own tests.
UNTHROTTLED = {"anon": "100000/min", "user": "100000/min", "login": "100000/min", "register": "100000/min"}
# Every path parameter names an id; most generated ids point at the seeded objects, the rest at nothing.
PATH_ID_KEYS = {"place_id": "places", "rating_id": "ratings", "vendor_id": "vendors"}

CASES_RUN: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_case_count():
    yield
    total = sum(CASES_RUN.values())
    print(f"\nAPI fuzz: {total} requests over {len(CASES_RUN)} (role, operation) pairs")


@pytest.fixture
def _fuzz_settings(settings, monkeypatch):
    # DRF copies the rates onto the throttle class at import time; patch the class, not only settings.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **UNTHROTTLED})
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **UNTHROTTLED},
    }
    settings.AXES_ENABLED = False


@pytest.fixture(params=["consumer", "owner"])
def fuzz_world(request, transactional_db, _fuzz_settings):
    """Seeded data: a consumer and a vendor owner with tokens, the vendor's places, menus and ratings."""
    consumer = factories.UserFactory(email="fuzz-consumer@example.com")
    owner = factories.UserFactory(email="fuzz-owner@example.com")
    vendor = factories.VendorFactory(business_name="Fuzz Tacos")
    factories.VendorMemberFactory(vendor=vendor, user=owner, role=Role.OWNER)
    category = factories.CategoryFactory(name="Tacos", slug="tacos")
    truck = factories.PlaceFactory(vendor=vendor, name="Fuzz Truck")
    stand = factories.PlaceFactory(vendor=vendor, name="Fuzz Stand", kind=PlaceKind.STAND)
    truck.categories.add(category)
    factories.OpeningHoursFactory(place=truck, weekday=0)
    menu = factories.MenuFactory(vendor=vendor, name="Lunch")
    menu.places.add(truck, stand)
    factories.MenuItemFactory(menu=menu, name="Al pastor", price=Decimal("4.50"))
    factories.MenuItemFactory(menu=menu, name="Nopales", price=Decimal("4.00"), is_vegan=True, is_vegetarian=True)
    ratings = [
        factories.RatingFactory(user=consumer, place=truck, stars=Decimal("4.5")),
        factories.RatingFactory(user=owner, place=stand, stars=Decimal("3.0")),
    ]
    factories.FavoritePlaceFactory(user=consumer, place=stand)
    user = consumer if request.param == "consumer" else owner
    token, _ = Token.objects.get_or_create(user=user)
    return {
        "role": request.param,
        "user": user,
        "token": token.key,
        "places": [truck.pk, stand.pk],
        "ratings": [rating.pk for rating in ratings],
        "vendors": [vendor.pk],
    }


@pytest.fixture
def api_schema(live_server, fuzz_world):
    fuzz_world["base_url"] = live_server.url
    response = requests.get(f"{live_server.url}/api/v1/schema/?format=json", timeout=30)
    response.raise_for_status()
    return schemathesis.openapi.from_dict(response.json())


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation the schema documents, read when the tests are collected.

    The live streams (a 200 is text/event-stream: an answer that never ends) are left out: their
    box's bad input is proven in live/tests/test_channels.py, their streams in test_streams_asgi.py.
    """
    document = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "text/event-stream" not in operation.get("responses", {}).get("200", {}).get("content", {})
    ]


def _aim_at_seeded_objects(case, world) -> None:
    """Two generated ids in three are swapped for a seeded object's id, so the happy paths run too."""
    for key, kind in PATH_ID_KEYS.items():
        value = (case.path_parameters or {}).get(key)
        if isinstance(value, int) and value % 3 != 0:
            ids = world[kind]
            case.path_parameters[key] = ids[value % len(ids)]


@pytest.mark.parametrize(("method", "path"), _operations(), ids=lambda value: value)
def test_api_operation_with_generated_input_answers_as_documented(method, path, fuzz_world, api_schema):
    # given a live server with seeded data, its served schema and a token of the role
    operation = api_schema[path][method]
    headers = {"Authorization": f"Token {fuzz_world['token']}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        _aim_at_seeded_objects(case, fuzz_world)
        try:
            # when the generated request is sent
            # then the answer is no 5xx and matches the schema
            case.call_and_validate(base_url=fuzz_world["base_url"], headers=headers, checks=CHECKS, timeout=30)
        finally:
            CASES_RUN[(fuzz_world["role"], operation.label)] += 1
            # Logging out revokes the token: give the same key back so the next cases stay authenticated.
            Token.objects.get_or_create(user=fuzz_world["user"], defaults={"key": fuzz_world["token"]})

    call()
    assert CASES_RUN[(fuzz_world["role"], operation.label)] > 0
