"""Favorites, recently viewed and favorite categories of the signed-in consumer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import token_client
from consumers.models import FavoriteCategory, FavoritePlace, RecentlyViewedPlace
from tests import factories

FAVORITES = "/api/v1/me/favorites/"
RECENT = "/api/v1/me/recently-viewed/"
FAVORITE_CATEGORIES = "/api/v1/me/favorite-categories/"


def test_favorite_add_answers_201_then_200(consumer, consumer_client, place_a):
    first = consumer_client.post(FAVORITES, {"place": place_a.pk})
    again = consumer_client.post(FAVORITES, {"place": place_a.pk})

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["place"]["id"] == place_a.pk and first.json()["place"]["name"] == "Taco Truck A"
    assert FavoritePlace.objects.filter(user=consumer).count() == 1


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "This field is required."),
        ({"place": "abc"}, "A valid integer is required."),
        ({"place": 999_999}, "No such place."),
    ],
)
def test_favorite_add_when_invalid_answers_400(consumer_client, db, payload, message):
    response = consumer_client.post(FAVORITES, payload)

    assert response.status_code == 400
    assert response.json()["errors"] == {"place": [message]}


def test_favorite_add_of_an_inactive_place_is_refused(consumer_client, place_a):
    place_a.is_active = False
    place_a.save(update_fields=["is_active"])

    response = consumer_client.post(FAVORITES, {"place": place_a.pk})

    assert response.status_code == 400
    assert response.json()["errors"] == {"place": ["No such place."]}


def test_favorites_list_newest_first_only_mine(consumer, consumer_client, place_a, place_b, owner_b):
    now = timezone.now()
    factories.FavoritePlaceFactory(user=consumer, place=place_a, created_at=now - timedelta(days=1))
    factories.FavoritePlaceFactory(user=consumer, place=place_b, created_at=now)
    factories.FavoritePlaceFactory(user=owner_b, place=place_a)

    body = consumer_client.get(FAVORITES).json()

    assert body["count"] == 2
    assert [row["place"]["id"] for row in body["results"]] == [place_b.pk, place_a.pk]


@pytest.mark.parametrize("size", [2, 9])
def test_favorites_list_query_count_is_constant(consumer, consumer_client, django_assert_num_queries, size):
    for place in factories.PlaceFactory.create_batch(size):
        place.categories.add(factories.CategoryFactory())
        factories.FavoritePlaceFactory(user=consumer, place=place)

    # token, count, page, the cards (with categories, vendors, hours and exceptions: their next openings)
    with django_assert_num_queries(4):
        response = consumer_client.get(FAVORITES)

    assert len(response.json()["results"]) == size


def test_favorite_remove_then_404(consumer, consumer_client, place_a):
    factories.FavoritePlaceFactory(user=consumer, place=place_a)

    removed = consumer_client.delete(f"{FAVORITES}{place_a.pk}/")
    again = consumer_client.delete(f"{FAVORITES}{place_a.pk}/")

    assert removed.status_code == 204 and again.status_code == 404
    assert again.json() == {"detail": "That place is not one of your favorites.", "errors": {}}


def test_favorite_remove_of_another_users_favorite_is_404_and_keeps_it(consumer, owner_b, place_a):
    factories.FavoritePlaceFactory(user=consumer, place=place_a)

    response = token_client(owner_b).delete(f"{FAVORITES}{place_a.pk}/")

    assert response.status_code == 404
    assert FavoritePlace.objects.filter(user=consumer, place=place_a).exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", FAVORITES),
        ("post", FAVORITES),
        ("delete", f"{FAVORITES}1/"),
        ("get", RECENT),
        ("get", FAVORITE_CATEGORIES),
        ("put", FAVORITE_CATEGORIES),
    ],
)
def test_preferences_anonymous_are_401(api_client, db, method, url):
    assert getattr(api_client, method)(url).status_code == 401


def test_recently_viewed_newest_first_only_mine(consumer, consumer_client, place_a, place_b, owner_b):
    now = timezone.now()
    RecentlyViewedPlace.objects.create(user=consumer, place=place_a, viewed_at=now)
    RecentlyViewedPlace.objects.create(user=consumer, place=place_b, viewed_at=now - timedelta(hours=1))
    RecentlyViewedPlace.objects.create(user=owner_b, place=place_b, viewed_at=now + timedelta(hours=1))

    body = consumer_client.get(RECENT).json()

    assert [row["place"]["id"] for row in body["results"]] == [place_a.pk, place_b.pk]
    assert body["results"][0]["viewed_at"] is not None


def test_recently_viewed_follows_detail_reads(consumer_client, place_a, place_b):
    consumer_client.get(f"/api/v1/places/{place_a.pk}/")
    consumer_client.get(f"/api/v1/places/{place_b.pk}/")
    consumer_client.get(f"/api/v1/places/{place_a.pk}/")

    body = consumer_client.get(RECENT).json()

    assert [row["place"]["id"] for row in body["results"]] == [place_a.pk, place_b.pk]


@pytest.mark.parametrize("size", [2, 9])
def test_recently_viewed_query_count_is_constant(consumer, consumer_client, django_assert_num_queries, size):
    for place in factories.PlaceFactory.create_batch(size):
        RecentlyViewedPlace.objects.create(user=consumer, place=place)

    # the rows (50 at most, counted in Python), the cards with their next openings' hours and exceptions
    with django_assert_num_queries(3):
        response = consumer_client.get(RECENT)

    assert response.json()["count"] == size


def test_favorite_categories_put_replaces_the_set(consumer, consumer_client, db):
    tacos = factories.CategoryFactory(name="Tacos", slug="tacos", position=1)
    factories.CategoryFactory(name="BBQ", slug="bbq", position=2)
    coffee = factories.CategoryFactory(name="Coffee", slug="coffee", position=0)
    FavoriteCategory.objects.create(user=consumer, category=tacos)

    response = consumer_client.put(FAVORITE_CATEGORIES, {"categories": ["bbq", "coffee", "bbq"]}, format="json")
    listed = consumer_client.get(FAVORITE_CATEGORIES)

    expected = {"categories": [{"slug": "coffee", "name": "Coffee"}, {"slug": "bbq", "name": "BBQ"}]}
    assert response.status_code == 200 and response.json() == expected
    assert listed.json() == expected
    assert not FavoriteCategory.objects.filter(user=consumer, category=tacos).exists()
    assert coffee.pk in FavoriteCategory.objects.filter(user=consumer).values_list("category_id", flat=True)


def test_favorite_categories_put_empty_clears(consumer, consumer_client, db):
    FavoriteCategory.objects.create(user=consumer, category=factories.CategoryFactory())

    response = consumer_client.put(FAVORITE_CATEGORIES, {"categories": []}, format="json")

    assert response.json() == {"categories": []}
    assert FavoriteCategory.objects.filter(user=consumer).count() == 0


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"categories": ["tacos", "nope"]}, "Unknown categories: nope."),
        ({}, "This field is required."),
        ({"categories": "tacos"}, 'Expected a list of items but got type "str".'),
    ],
)
def test_favorite_categories_put_when_invalid_answers_400_and_changes_nothing(
    consumer, consumer_client, payload, message
):
    factories.CategoryFactory(name="Tacos", slug="tacos")

    response = consumer_client.put(FAVORITE_CATEGORIES, payload, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"categories": [message]}
    assert FavoriteCategory.objects.filter(user=consumer).count() == 0
