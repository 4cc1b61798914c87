"""One lock order for every rating write, whatever the door (API or admin): the places first, in id
order, then the rating row. Two writes taking rows in opposite orders could deadlock."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import token_client
from tests.factories import PlaceFactory, RatingFactory

TABLES = ("trucks_place", "ratings_rating")
PLACE_IDS = re.compile(r'"trucks_place"\."id" (?:IN \(([\d, ]+)\)|= (\d+))')


def locks_and_writes(queries: list[dict]) -> list[str]:
    """What the statements do to places and ratings, in order: "lock trucks_place 3,5", "update ratings_rating"…"""
    steps = []
    for query in queries:
        sql = query["sql"]
        if sql.startswith("SELECT") and sql.endswith("FOR UPDATE"):
            table = re.search(r' FROM "(\w+)"', sql).group(1)
            step = f"lock {table}"
            if table == "trucks_place":
                ids = PLACE_IDS.search(sql)
                step += " " + (ids.group(1) or ids.group(2)).replace(" ", "")
        elif match := re.match(r'(UPDATE|DELETE FROM|INSERT INTO) "(\w+)"', sql):
            table = match.group(2)
            step = f"{match.group(1).split()[0].lower()} {table}"
        else:
            continue
        if table in TABLES:
            steps.append(step)
    return steps


@pytest.fixture
def two_places(db):
    """Two places, the second with the higher id."""
    return PlaceFactory(city="Austin"), PlaceFactory(city="Dallas")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_admin_moving_a_rating_locks_both_places_in_id_order_before_the_rating(staff_client, two_places):
    # given a rating on the place with the higher id
    low, high = two_places
    rating = RatingFactory(place=high, stars=Decimal("2.0"))

    # when staff move it to the place with the lower id
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.post(
            reverse("admin:ratings_rating_change", args=[rating.pk]),
            {"place": low.pk, "user": rating.user_id, "stars": "2.0", "review": rating.review},
        )

    # then
    assert response.status_code == 302
    assert locks_and_writes(queries.captured_queries) == [
        f"lock trucks_place {low.pk},{high.pk}",
        "update ratings_rating",
        "update trucks_place",
        "update trucks_place",
    ]
    place_lock = next(q["sql"] for q in queries.captured_queries if q["sql"].endswith("FOR UPDATE"))
    assert 'ORDER BY "trucks_place"."id" ASC' in place_lock


def test_admin_delete_action_locks_the_places_in_id_order_before_deleting(staff_client, two_places):
    # given
    low, high = two_places
    ratings = [RatingFactory(place=high), RatingFactory(place=low)]

    # when
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.post(
            reverse("admin:ratings_rating_changelist"),
            {"action": "delete_selected", "_selected_action": [r.pk for r in ratings], "post": "yes"},
        )

    # then
    assert response.status_code == 302
    assert locks_and_writes(queries.captured_queries) == [
        f"lock trucks_place {low.pk},{high.pk}",
        "delete ratings_rating",
        "update trucks_place",
        "update trucks_place",
    ]


def test_admin_delete_page_and_hide_action_lock_the_place_before_the_rating(staff_client, two_places):
    # given
    place, _ = two_places
    hidden, deleted = RatingFactory(place=place), RatingFactory(place=place)

    # when
    with CaptureQueriesContext(connection) as hiding:
        staff_client.post(
            reverse("admin:ratings_rating_changelist"),
            {"action": "hide", "_selected_action": [hidden.pk], "reason": "Spam"},
        )
    with CaptureQueriesContext(connection) as deleting:
        staff_client.post(reverse("admin:ratings_rating_delete", args=[deleted.pk]), {"post": "yes"})

    # then
    assert locks_and_writes(hiding.captured_queries) == [
        f"lock trucks_place {place.pk}",
        "lock ratings_rating",
        "update ratings_rating",
        "update trucks_place",
    ]
    assert locks_and_writes(deleting.captured_queries) == [
        f"lock trucks_place {place.pk}",
        "delete ratings_rating",
        "update trucks_place",
    ]


def test_api_rating_writes_lock_the_place_before_the_rating(consumer, two_places):
    # given
    place, _ = two_places
    client = token_client(consumer)

    # when
    with CaptureQueriesContext(connection) as submitting:
        rating_id = client.post(f"/api/v1/places/{place.pk}/ratings/", {"stars": "4.0"}).json()["id"]
    with CaptureQueriesContext(connection) as changing:
        client.patch(f"/api/v1/ratings/{rating_id}/", {"stars": "3.0"})
    with CaptureQueriesContext(connection) as deleting:
        client.delete(f"/api/v1/ratings/{rating_id}/")

    # then
    assert locks_and_writes(submitting.captured_queries) == [
        f"lock trucks_place {place.pk}",
        "insert ratings_rating",
        "update trucks_place",
    ]
    assert locks_and_writes(changing.captured_queries) == [
        f"lock trucks_place {place.pk}",
        "update ratings_rating",
        "update trucks_place",
    ]
    assert locks_and_writes(deleting.captured_queries) == [
        f"lock trucks_place {place.pk}",
        "delete ratings_rating",
        "update trucks_place",
    ]
