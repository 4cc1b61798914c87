"""ETag / If-None-Match → 304 on the place detail, the search and the map (foodtrucks.conditional).

transaction=True: a version counts committed transactions older than every running one, so a test
wrapped in one open transaction would never see its own writes move a version.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.models import InteractionType, UserInteraction
from consumers.models import RecentlyViewedPlace
from tests import factories
from tests.change_log import wait_until_settled
from trucks.models import LocationSource, MenuItem
from trucks.services import place_check_in, place_delete

pytestmark = pytest.mark.django_db(transaction=True)

SEARCH = reverse("api-places")
MAP = reverse("api-places-map")


def _detail(place_id: int) -> str:
    return reverse("api-place-detail", kwargs={"place_id": place_id})


def _check_in(place, lat: float) -> None:
    place_check_in(place=place, lat=lat, lng=-97.74, is_open=True, source=LocationSource.API)
    wait_until_settled()


def test_detail_answers_304_while_nothing_changed_and_200_after_a_check_in(api_client):
    # given a place read once
    place = factories.PlaceFactory()
    wait_until_settled()
    first = api_client.get(_detail(place.pk))
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    assert first["Cache-Control"] == "no-cache"
    # when read again with its ETag
    again = api_client.get(_detail(place.pk), HTTP_IF_NONE_MATCH=etag)
    # then 304, no body, the same ETag
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    # when the truck checks in
    _check_in(place, lat=30.31)
    changed = api_client.get(_detail(place.pk), HTTP_IF_NONE_MATCH=etag)
    # then the whole answer, with the new position and a new ETag
    assert changed.status_code == 200 and changed.json()["lat"] == 30.31
    assert changed["ETag"] != etag
    assert api_client.get(_detail(place.pk), HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_a_304_costs_one_query_and_no_rendering(api_client, django_assert_num_queries):
    place = factories.PlaceFactory()
    wait_until_settled()
    etag = api_client.get(_detail(place.pk))["ETag"]
    search_etag = api_client.get(SEARCH, {"lat": 30.27, "lng": -97.74})["ETag"]
    # the version's query only
    with django_assert_num_queries(1):
        assert api_client.get(_detail(place.pk), HTTP_IF_NONE_MATCH=etag).status_code == 304
    with django_assert_num_queries(1):
        response = api_client.get(SEARCH, {"lat": 30.27, "lng": -97.74}, HTTP_IF_NONE_MATCH=search_etag)
        assert response.status_code == 304


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda place: factories.OpeningHoursFactory(place=place), id="weekly hours"),
        pytest.param(lambda place: factories.ScheduleExceptionFactory(place=place), id="an exception"),
        pytest.param(lambda place: MenuItem.objects.filter(menu__places=place).update(price="11.00"), id="a price"),
    ],
)
def test_detail_etag_moves_with_what_the_detail_shows(api_client, change):
    place = factories.PlaceFactory()
    menu = factories.MenuFactory(vendor=place.vendor)
    menu.places.set([place])
    factories.MenuItemFactory(menu=menu)
    wait_until_settled()
    etag = api_client.get(_detail(place.pk))["ETag"]
    change(place)
    wait_until_settled()
    assert api_client.get(_detail(place.pk), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_deleted_place_is_404_not_304(api_client):
    place = factories.PlaceFactory()
    place_id = place.pk
    wait_until_settled()
    etag = api_client.get(_detail(place_id))["ETag"]
    place_delete(place=place)
    wait_until_settled()
    assert api_client.get(_detail(place_id), HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_if_none_match_star_never_hides_a_missing_place(api_client):
    assert api_client.get(_detail(999_999), HTTP_IF_NONE_MATCH="*").status_code == 404


def test_a_signed_in_304_still_counts_as_a_view_and_is_private(consumer, consumer_client):
    # given a place the consumer has read once (a view)
    place = factories.PlaceFactory()
    wait_until_settled()
    etag = consumer_client.get(_detail(place.pk))["ETag"]
    # when read again with the ETag
    again = consumer_client.get(_detail(place.pk), HTTP_IF_NONE_MATCH=etag)
    # then 304, for its own cache only, and the second view is recorded as the first was
    assert again.status_code == 304
    assert again["Cache-Control"] == "private, no-cache" and "Authorization" in again["Vary"]
    views = UserInteraction.objects.filter(user=consumer, place=place, type=InteractionType.VIEW)
    assert views.count() == 2
    assert RecentlyViewedPlace.objects.filter(user=consumer, place=place).exists()


def test_search_answers_304_while_nothing_changed_and_200_after_any_change(api_client):
    # given a search page read once
    place, elsewhere = factories.PlaceFactory(), factories.PlaceFactory(lat=40.7, lng=-74.0)
    params = {"lat": 30.27, "lng": -97.74, "radius_km": 5}
    wait_until_settled()
    first = api_client.get(SEARCH, params)
    etag = first["ETag"]
    assert first.status_code == 200 and first.json()["count"] == 1
    # then the same query, its parameters in another order, is a 304; another query is not
    assert api_client.get(f"{SEARCH}?radius_km=5&lng=-97.74&lat=30.27", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api_client.get(SEARCH, {**params, "radius_km": 6}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    # when a place changes (even one far away: the version is the whole log's)
    _check_in(elsewhere, lat=40.71)
    changed = api_client.get(SEARCH, params, HTTP_IF_NONE_MATCH=etag)
    # then the page is answered again, with a new ETag
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["results"][0]["id"] == place.pk


def test_map_answers_304_while_nothing_changed(api_client):
    place = factories.PlaceFactory()
    params = {"bbox": "25,-107,37,-93"}
    wait_until_settled()
    etag = api_client.get(MAP, params)["ETag"]
    assert api_client.get(MAP, params, HTTP_IF_NONE_MATCH=etag).status_code == 304
    _check_in(place, lat=30.5)
    assert api_client.get(MAP, params, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_etags_change_with_the_clock_bucket(api_client, monkeypatch, settings):
    # given answers whose fields depend on the time (next opening, location freshness)
    settings.API_ETAG_CLOCK_SECONDS = 60
    place = factories.PlaceFactory()
    wait_until_settled()
    etag = api_client.get(_detail(place.pk))["ETag"]
    search_etag = api_client.get(SEARCH)["ETag"]
    # when the clock moves into the next bucket with no change written
    later = timezone.now() + timedelta(seconds=61)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    # then both are answered again
    assert api_client.get(_detail(place.pk), HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert api_client.get(SEARCH, HTTP_IF_NONE_MATCH=search_etag).status_code == 200
