"""GET places/{id}/, places/top/, categories/ and the vendor check-in."""

from datetime import date, time, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from analytics.models import InteractionType, UserInteraction
from conftest import token_client
from consumers.models import RECENTLY_VIEWED_LIMIT, RecentlyViewedPlace
from foodtrucks.celery import app as celery_app
from tests import factories
from trucks.models import ExceptionKind, LocationSource, Photo, ScheduleException
from trucks.top_places import top_place_ids


def detail_url(place_id: int) -> str:
    return f"/api/v1/places/{place_id}/"


@pytest.fixture
def full_place(place_a):
    """A place with two categories, hours, an exception, a photo, menus, items and ratings."""
    place_a.time_zone = "America/Chicago"
    place_a.save(update_fields=["time_zone"])
    place_a.categories.add(factories.CategoryFactory(name="Tacos", slug="tacos"))
    for weekday in range(7):
        factories.OpeningHoursFactory(place=place_a, weekday=weekday, opens=time(11, 0), closes=time(15, 0))
    ScheduleException.objects.create(
        place=place_a, date=timezone.localdate() + timedelta(days=3), kind=ExceptionKind.CLOSED, note="Holiday"
    )
    ScheduleException.objects.create(place=place_a, date=date(2020, 1, 1), kind=ExceptionKind.CLOSED, note="Long ago")
    Photo.objects.create(place=place_a, image="photos/2026/11/truck.jpg", caption="Front")
    menu = factories.MenuFactory(vendor=place_a.vendor, name="Lunch", menu_type="lunch")
    menu.places.add(place_a)
    factories.MenuItemFactory(menu=menu, name="Al pastor", price=Decimal("3.50"), is_gluten_free=True)
    factories.MenuItemFactory(menu=menu, name="Horchata", price=Decimal("2.00"), is_available=False)
    hidden_menu = factories.MenuFactory(vendor=place_a.vendor, name="Old", is_active=False)
    hidden_menu.places.add(place_a)
    factories.RatingFactory(place=place_a, stars=Decimal("5.0"))
    factories.RatingFactory(place=place_a, stars=Decimal("4.0"))
    return place_a


def test_detail_answers_menus_schedule_photos_ratings_and_vendor(api_client, full_place):
    response = api_client.get(detail_url(full_place.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == full_place.pk and body["name"] == "Taco Truck A" and body["kind"] == "truck"
    assert body["categories"] == [{"slug": "tacos", "name": "Tacos"}]
    assert body["vendor"] == {"id": full_place.vendor_id, "name": "Vendor A", "is_verified": False}
    assert [menu["name"] for menu in body["menus"]] == ["Lunch"]
    assert [(i["name"], i["price"], i["is_available"]) for i in body["menus"][0]["items"]] == [
        ("Al pastor", "3.50", True),
        ("Horchata", "2.00", False),
    ]
    assert len(body["hours"]) == 7
    assert body["hours"][0] == {
        "weekday": 0,
        "weekday_name": "Monday",
        "opens": "11:00:00",
        "closes": "15:00:00",
        "address": "",
        "lat": None,
        "lng": None,
    }
    assert body["next_opening"]["starts_at"].endswith(("-06:00", "-05:00"))  # Chicago's own offset
    assert [e["note"] for e in body["upcoming_exceptions"]] == ["Holiday"]
    assert body["photos"][0]["url"] == "http://testserver/media/photos/2026/11/truck.jpg"
    assert body["rating_summary"]["distribution"]["5.0"] == 1
    assert body["rating_summary"]["distribution"]["4.0"] == 1
    assert body["rating_summary"]["distribution"]["1.0"] == 0
    assert body["location_source"] == "address" and "location_updated_at" in body


def test_detail_anonymous_read_records_nothing(api_client, full_place):
    api_client.get(detail_url(full_place.pk))

    assert UserInteraction.objects.count() == 0


def test_detail_authenticated_read_records_a_view_and_recently_viewed(consumer, consumer_client, full_place):
    consumer_client.get(detail_url(full_place.pk))
    consumer_client.get(detail_url(full_place.pk))

    events = UserInteraction.objects.filter(place=full_place, user=consumer, type=InteractionType.VIEW)
    assert events.count() == 2
    assert list(RecentlyViewedPlace.objects.filter(user=consumer).values_list("place_id", flat=True)) == [full_place.pk]


def test_detail_recently_viewed_keeps_only_the_newest(consumer, consumer_client, vendor_a):
    places = factories.PlaceFactory.create_batch(RECENTLY_VIEWED_LIMIT + 2, vendor=vendor_a)
    now = timezone.now()
    RecentlyViewedPlace.objects.bulk_create(
        RecentlyViewedPlace(user=consumer, place=place, viewed_at=now - timedelta(minutes=100 - i))
        for i, place in enumerate(places[:-1])
    )

    consumer_client.get(detail_url(places[-1].pk))

    kept = list(RecentlyViewedPlace.objects.filter(user=consumer).values_list("place_id", flat=True))
    assert len(kept) == RECENTLY_VIEWED_LIMIT
    assert kept[0] == places[-1].pk
    assert places[0].pk not in kept and places[1].pk not in kept


@pytest.mark.parametrize("menus", [1, 4])
def test_detail_query_count_is_constant(consumer_client, full_place, django_assert_num_queries, menus):
    for _ in range(menus):
        menu = factories.MenuFactory(vendor=full_place.vendor)
        menu.places.add(full_place)
        factories.MenuItemFactory.create_batch(3, menu=menu)
    # token, the place's version (its ETag), place, 5 prefetches (+ items), star distribution, newest reviews
    # with replies; the view: event, upsert, trim (+ savepoints)
    with django_assert_num_queries(18):
        response = consumer_client.get(detail_url(full_place.pk))

    assert len(response.json()["menus"]) == menus + 1


def test_detail_of_an_inactive_or_unknown_place_is_404(api_client, place_a):
    place_a.is_active = False
    place_a.save(update_fields=["is_active"])

    inactive = api_client.get(detail_url(place_a.pk))
    unknown = api_client.get(detail_url(999_999))

    assert inactive.status_code == unknown.status_code == 404
    assert unknown.json() == {"detail": "No such place.", "errors": {}}


# --- top places --------------------------------------------------------------------------------


def rated(city: str, avg: str, count: int, **kwargs):
    return factories.PlaceFactory(city=city, rating_avg=Decimal(avg), rating_count=count, **kwargs)


def test_top_places_rank_rated_enough_places_of_the_city(api_client, db):
    best = rated("Austin", "4.80", 3)
    tie_more = rated("austin", "4.50", 10)
    tie_fewer = rated("Austin", "4.50", 4)
    rated("Austin", "5.00", 2)  # too few ratings
    rated("Dallas", "5.00", 50)  # another city
    rated("Austin", "5.00", 50, is_active=False)

    response = api_client.get("/api/v1/places/top/", {"city": "AUSTIN"})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [best.pk, tie_more.pk, tie_fewer.pk]


def test_top_places_are_cached_and_refreshed_when_a_rating_changes(db, consumer_client, api_client):
    first = rated("Austin", "4.00", 3)
    second = rated("Austin", "4.00", 3)
    for place, stars in ((first, "4.0"), (first, "4.0"), (first, "4.0"), (second, "3.5"), (second, "3.5")):
        factories.RatingFactory(place=place, stars=Decimal(stars))
    factories.RatingFactory(place=second, stars=Decimal("5.0"))
    top_url = "/api/v1/places/top/"
    assert [r["id"] for r in api_client.get(top_url, {"city": "Austin"}).json()["results"]] == [first.pk, second.pk]
    # a change behind the cache's back is not seen ...
    type(first).objects.filter(pk=first.pk).update(rating_avg=Decimal("1.00"))
    cached = api_client.get(top_url, {"city": "austin"}).json()["results"]
    assert [r["id"] for r in cached] == [first.pk, second.pk]

    # ... a rating (committed) in that city refreshes the ranking: second is now (3.5+3.5+5+5)/4 = 4.25
    with mock.patch("django.db.transaction.on_commit", side_effect=lambda fn, *a, **k: fn()):
        consumer_client.post(f"/api/v1/places/{second.pk}/ratings/", {"stars": "5.0"}, format="json")
    fresh = api_client.get(top_url, {"city": "Austin"}).json()["results"]

    assert [(r["id"], r["rating_avg"]) for r in fresh] == [(second.pk, "4.25"), (first.pk, "1.00")]


def test_top_places_when_the_cache_is_down_are_computed_directly(api_client, db, settings, caplog):
    # given the cache points at a Redis that does not answer (nothing listens on port 1)
    best = rated("Austin", "4.80", 3)
    settings.CACHES = {
        "default": {
            "BACKEND": "foodtrucks.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "failure_backoff": 0},
        }
    }

    # when
    response = api_client.get("/api/v1/places/top/", {"city": "Austin"})

    # then the ranking is computed from the database, and the outage is logged
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [best.pk]
    assert "cache unavailable" in caplog.text


def test_top_places_without_a_city_is_400(api_client, db):
    response = api_client.get("/api/v1/places/top/")

    assert response.status_code == 400
    assert response.json()["errors"] == {"city": ["This field is required."]}


def test_top_places_with_a_too_long_city_or_a_bad_page_size_is_400(api_client, db):
    response = api_client.get("/api/v1/places/top/", {"city": "x" * 101, "page_size": "0"})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "city": ["Ensure this value has at most 100 characters (it has 101)."],
        "page_size": ["Ensure this value is greater than or equal to 1."],
    }


@pytest.mark.parametrize("size", [2, 8])
def test_top_places_query_count_is_constant(api_client, db, django_assert_num_queries, size):
    for _ in range(size):
        rated("Austin", "4.00", 5).categories.add(factories.CategoryFactory())
    api_client.get("/api/v1/places/top/", {"city": "Austin"})  # warms the cache

    # the cards, with the page's weekly hours and exceptions (each card's next opening)
    with django_assert_num_queries(1):
        response = api_client.get("/api/v1/places/top/", {"city": "Austin"})

    assert response.json()["count"] == size


# --- categories -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 7])
def test_categories_list_by_position_in_constant_queries(api_client, db, django_assert_num_queries, size):
    for i in range(size):
        factories.CategoryFactory(name=f"C{i}", slug=f"c{i}", position=size - i)

    with django_assert_num_queries(2):
        response = api_client.get("/api/v1/categories/")

    body = response.json()
    assert body["count"] == size
    assert body["results"][0] == {"id": body["results"][0]["id"], "slug": f"c{size - 1}", "name": f"C{size - 1}"}


# --- check-in ------------------------------------------------------------------------------------


def checkin_url(place_id: int) -> str:
    return f"/api/v1/vendor/places/{place_id}/location/"


def test_check_in_by_any_member_sets_location_and_open_switch(staff_a, place_a):
    response = token_client(staff_a).post(checkin_url(place_a.pk), {"lat": 30.25, "lng": -97.75, "is_open": True})

    assert response.status_code == 200
    place_a.refresh_from_db()
    assert (place_a.lat, place_a.lng, place_a.is_open) == (30.25, -97.75, True)
    assert place_a.location_source == LocationSource.API
    assert response.json()["location_source"] == "api" and response.json()["is_open"] is True


def test_check_in_without_location_only_switches(owner_a, place_a):
    response = token_client(owner_a).post(checkin_url(place_a.pk), {"is_open": False})

    assert response.status_code == 200
    place_a.refresh_from_db()
    assert (place_a.lat, place_a.is_open) == (30.2672, False)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"lat": 30.0, "is_open": True}, "lng", "Give lat and lng together (or neither)."),
        ({"lat": 95, "lng": 0, "is_open": True}, "lat", "Ensure this value is less than or equal to 90."),
        ({"lat": 0, "lng": 0}, "is_open", "This field is required."),
    ],
)
def test_check_in_when_invalid_answers_400(owner_a, place_a, payload, field, message):
    response = token_client(owner_a).post(checkin_url(place_a.pk), payload, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]


def test_check_in_by_another_vendor_or_a_consumer_is_404(owner_b, consumer_client, place_a):
    other = token_client(owner_b).post(checkin_url(place_a.pk), {"is_open": True})
    consumer = consumer_client.post(checkin_url(place_a.pk), {"is_open": True})

    assert other.status_code == consumer.status_code == 404
    place_a.refresh_from_db()
    assert place_a.is_open is False


def test_check_in_anonymous_is_401(api_client, place_a):
    response = api_client.post(checkin_url(place_a.pk), {"is_open": True})

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.", "errors": {}}


def test_top_places_warm_job_fills_every_city_before_a_consumer_asks(db, django_assert_num_queries):
    # given places in two cities (one spelt in two cases) and one that cannot rank
    best = rated("Austin", "4.80", 3)
    second = rated("austin ", "4.50", 10)
    dallas = rated("Dallas", "4.00", 5)
    rated("Austin", "5.00", 2)  # too few ratings

    # when the beat job warms the cache (by its task name, as beat calls it)
    celery_app.loader.import_default_modules()
    warmed = celery_app.tasks["trucks.warm_top_places"].apply().get()

    # then each city's ranking is served from the cache: no query for the ids
    assert warmed == 2
    with django_assert_num_queries(0):
        assert top_place_ids(city="AUSTIN") == [best.pk, second.pk]
        assert top_place_ids(city="dallas") == [dallas.pk]


def test_detail_items_and_photos_carry_their_thumbnails(api_client, place_a, django_capture_on_commit_callbacks):
    # given an item photo and a place photo uploaded through the services (thumbnails made after commit)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.images import png_bytes
    from trucks import services

    menu = factories.MenuFactory(vendor=place_a.vendor)
    menu.places.add(place_a)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.item_create(
            menu=menu,
            name="Taco",
            price=Decimal("3"),
            photo=SimpleUploadedFile("t.png", png_bytes((960, 480)), content_type="image/png"),
        )
        photo = services.photo_add(
            place=place_a,
            image=SimpleUploadedFile("p.png", png_bytes((320, 640)), content_type="image/png"),
            caption="Front",
            uploaded_by=None,
        )
    item.refresh_from_db()

    # when
    body = api_client.get(detail_url(place_a.pk)).json()

    # then
    item_stem, photo_stem = item.photo.name.rsplit(".", 1)[0], photo.image.name.rsplit(".", 1)[0]
    assert body["menus"][0]["items"][0]["photo"] == {
        "thumb_url": f"/media/thumbs/{item_stem}-160.webp",
        "large_thumb_url": f"/media/thumbs/{item_stem}-480.webp",
        "url": f"/media/{item.photo.name}",
        "width": 960,
        "height": 480,
    }
    assert body["photos"][0]["thumbnails"] == {
        "thumb_url": f"/media/thumbs/{photo_stem}-160.webp",
        "large_thumb_url": f"/media/thumbs/{photo_stem}-480.webp",
        "url": f"/media/{photo.image.name}",
        "width": 320,
        "height": 640,
    }
