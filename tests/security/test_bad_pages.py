"""Pages no list can serve, on every paginated endpoint: 404 or 400 in the one error shape, never a 500.

The endpoints are read from the OpenAPI schema (every GET whose 200 answer is a Paginated… list), so
a new list is covered without a new test; it only needs its path and required query parameters in
the tables below. `page=10000000000000000000` used to overflow PostgreSQL's OFFSET (a 500).
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from consumers.services import place_view_record
from tests import factories

BIGINT_MAX = 2**63 - 1
PAST_THE_END = {"Invalid page.", "Invalid page: that page contains no results."}
# A value for each path parameter, and for each required query parameter, of the paginated endpoints.
PATH_VALUES = {"place_id": lambda world: world["place"].pk}
REQUIRED_QUERY = {"city": "Austin"}
_PARAMETER = re.compile(r"\{(\w+)\}")


def _paginated_endpoints() -> list[tuple[str, tuple[str, ...]]]:
    """(path, required query parameters) of every GET the schema answers with a page of results."""
    document = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    endpoints = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        answer = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if answer.get("schema", {}).get("$ref", "").startswith("#/components/schemas/Paginated"):
            required = tuple(
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "query" and parameter.get("required")
            )
            endpoints.append((path, required))
    return sorted(endpoints)


ENDPOINTS = _paginated_endpoints()
PATHS = [path for path, _ in ENDPOINTS]


@pytest.fixture
def world(consumer, place_a):
    """One row in every list: a category, a favorite, a recently viewed place, a rating."""
    place_a.categories.add(factories.CategoryFactory(name="Tacos", slug="tacos"))
    factories.FavoritePlaceFactory(user=consumer, place=place_a)
    place_view_record(user=consumer, place_id=place_a.pk)
    factories.RatingFactory(user=consumer, place=place_a)
    return {"place": place_a}


def _get(client, world, path: str, **query):
    url = _PARAMETER.sub(lambda match: str(PATH_VALUES[match.group(1)](world)), path)
    required = dict(ENDPOINTS)[path]
    return client.get(url, {**{name: REQUIRED_QUERY[name] for name in required}, **query})


def test_paginated_endpoints_are_found_with_known_parameters():
    assert {"/api/v1/places/", "/api/v1/places/top/", "/api/v1/me/favorites/", "/api/v1/me/recently-viewed/"} <= set(
        PATHS
    )
    assert {"/api/v1/categories/", "/api/v1/places/{place_id}/ratings/"} <= set(PATHS)
    parameters = {name for path in PATHS for name in _PARAMETER.findall(path)}
    assert sorted(parameters - PATH_VALUES.keys()) == [], "add the new path parameters to PATH_VALUES"
    required = {name for _, names in ENDPOINTS for name in names}
    assert sorted(required - REQUIRED_QUERY.keys()) == [], "add the new required parameters to REQUIRED_QUERY"


@pytest.mark.parametrize("path", PATHS)
def test_first_page_is_served(consumer_client, world, path):
    # the control: with no page asked for, each list answers its first page
    response = _get(consumer_client, world, path)
    assert response.status_code == 200
    assert response.json()["previous"] is None


@pytest.mark.parametrize("page", ["2", "1000", "10000000000000000000", str(BIGINT_MAX), "9" * 40])
@pytest.mark.parametrize("path", PATHS)
def test_page_past_the_end_is_404_invalid_page(consumer_client, world, path, page):
    # given lists of one row; when a page past the end is asked for, up to far beyond bigint
    response = _get(consumer_client, world, path, page=page)
    # then it is not found, in the one error shape
    assert response.status_code == 404
    assert response.json()["errors"] == {}
    assert response.json()["detail"] in PAST_THE_END


@pytest.mark.parametrize("size", ["1", "100", str(BIGINT_MAX // 2)])
@pytest.mark.parametrize("path", PATHS)
def test_far_page_with_any_page_size_is_404_not_an_overflow(consumer_client, world, path, size):
    # the offset (page - 1) × page_size never reaches the database past bigint
    response = _get(consumer_client, world, path, page="10000000000000000000", page_size=size)
    assert response.status_code == 404
    assert response.json()["detail"] in PAST_THE_END


@pytest.mark.parametrize(
    ("parameter", "value", "message"),
    [
        ("page", "0", "Ensure this value is greater than or equal to 1."),
        ("page", "-1", "Ensure this value is greater than or equal to 1."),
        ("page", "abc", "A valid integer is required."),
        ("page", "1.5", "A valid integer is required."),
        ("page", "1e3", "A valid integer is required."),
        ("page", "9" * 5000, "String value too large."),
        ("page_size", "0", "Ensure this value is greater than or equal to 1."),
        ("page_size", "-5", "Ensure this value is greater than or equal to 1."),
        ("page_size", "many", "A valid integer is required."),
        ("page_size", "10000000000000000000", f"Ensure this value is less than or equal to {BIGINT_MAX}."),
        ("page_size", "9" * 5000, "String value too large."),
    ],
    ids=lambda value: value[:20],
)
@pytest.mark.parametrize("path", PATHS)
def test_page_or_page_size_that_is_no_positive_integer_is_400_naming_it(
    consumer_client, world, path, parameter, value, message
):
    response = _get(consumer_client, world, path, **{parameter: value})
    assert response.status_code == 400
    assert response.json() == {"detail": message, "errors": {parameter: [message]}}


@pytest.mark.parametrize("path", PATHS)
def test_page_size_above_the_cap_is_served_capped(consumer_client, world, path, settings):
    # given a page size a hundred times the cap: the contract is "page_size, capped", not an error
    response = _get(consumer_client, world, path, page_size=str(settings.API_MAX_PAGE_SIZE * 100))
    assert response.status_code == 200
    assert response.json()["next"] is None
