"""Text search (`q`): the stored, weighted document of each place, kept current by the services,
and the place search ranking by it."""

from decimal import Decimal

import pytest

from tests import factories
from trucks import services
from trucks.models import Place
from trucks.search_document import search_documents_refresh_all

URL = "/api/v1/places/"
AUSTIN = (30.2672, -97.7431)


def found(api_client, q: str, **params) -> list[str]:
    """The names the place search answers for `q`, in its order."""
    response = api_client.get(URL, {"q": q, **params})
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


def new_place(vendor, name: str, **fields) -> Place:
    return services.place_create(vendor=vendor, kind="truck", name=name, time_zone="America/Chicago", **fields)


@pytest.mark.django_db
def test_name_match_ranks_above_a_description_match(api_client, vendor_a):
    # given the word in one place's description (created first, so the id would put it first) and another's name
    new_place(vendor_a, "Smokehouse", description="Brisket, ribs and a taco on Tuesdays")
    new_place(vendor_a, "Taco Loco")
    new_place(vendor_a, "Noodle Cart")

    # when / then
    assert found(api_client, "taco") == ["Taco Loco", "Smokehouse"]


@pytest.mark.django_db
def test_category_match_ranks_between_name_and_description(api_client, vendor_a):
    # given
    tacos = factories.CategoryFactory(name="Tacos", slug="tacos")
    new_place(vendor_a, "Aardvark Grill", description="a taco now and then")
    new_place(vendor_a, "Blue Truck", categories=[tacos])
    new_place(vendor_a, "Taco Town")

    # when / then
    assert found(api_client, "tacos") == ["Taco Town", "Blue Truck", "Aardvark Grill"]


@pytest.mark.django_db
def test_stemming_finds_the_singular_from_the_plural(api_client, vendor_a):
    # given
    new_place(vendor_a, "Taco Town")

    # when / then
    assert found(api_client, "tacos") == ["Taco Town"]
    assert found(api_client, "TACO") == ["Taco Town"]


@pytest.mark.django_db
def test_finds_a_place_by_an_item_of_an_attached_active_menu(api_client, vendor_a):
    # given
    place = new_place(vendor_a, "Blue Truck")
    new_place(vendor_a, "Red Truck")
    menu = services.menu_create(vendor=vendor_a, name="Lunch", places=[place])

    # when
    services.item_create(menu=menu, name="Elote with lime", price=Decimal("4.50"))

    # then
    assert found(api_client, "elote") == ["Blue Truck"]


@pytest.mark.django_db
def test_ignores_items_of_inactive_menus(api_client, vendor_a):
    # given
    place = new_place(vendor_a, "Blue Truck")
    menu = services.menu_create(vendor=vendor_a, name="Lunch", places=[place])
    services.item_create(menu=menu, name="Elote", price=Decimal("4.50"))

    # when
    services.menu_update(menu=menu, data={"is_active": False})

    # then
    assert found(api_client, "elote") == []


@pytest.mark.django_db
def test_document_follows_menu_detach_item_rename_and_delete(api_client, vendor_a):
    # given
    place = new_place(vendor_a, "Blue Truck")
    menu = services.menu_create(vendor=vendor_a, name="Lunch", places=[place])
    item = services.item_create(menu=menu, name="Elote", price=Decimal("4.50"))

    # when / then
    services.item_update(item=item, data={"name": "Churro"})
    assert (found(api_client, "elote"), found(api_client, "churro")) == ([], ["Blue Truck"])
    services.menu_update(menu=menu, data={"places": []})
    assert found(api_client, "churro") == []
    services.menu_update(menu=menu, data={"places": [place]})
    assert found(api_client, "churro") == ["Blue Truck"]
    services.item_delete(item=item)
    assert found(api_client, "churro") == []


@pytest.mark.django_db
def test_document_follows_a_rename(api_client, vendor_a):
    # given
    place = new_place(vendor_a, "Taco Town", description="Street tacos")

    # when
    services.place_update(place=place, data={"name": "Burger Barn", "description": "Smash burgers"})

    # then
    assert found(api_client, "taco") == []
    assert found(api_client, "burgers") == ["Burger Barn"]


@pytest.mark.django_db
def test_document_follows_a_category_rename_and_delete(api_client, vendor_a):
    # given
    category = factories.CategoryFactory(name="Tacos", slug="tacos")
    new_place(vendor_a, "Blue Truck", categories=[category])

    # when / then
    category.name = "Barbecue"
    services.category_save(category=category)
    assert (found(api_client, "tacos"), found(api_client, "barbecue")) == ([], ["Blue Truck"])
    services.category_delete(category=category)
    assert found(api_client, "barbecue") == []


@pytest.mark.django_db
def test_an_ordering_asked_wins_over_the_best_match(api_client, vendor_a):
    # given
    new_place(vendor_a, "Zesty Taco")
    new_place(vendor_a, "Aardvark Grill", description="taco")

    # when / then
    assert found(api_client, "taco") == ["Zesty Taco", "Aardvark Grill"]
    assert found(api_client, "taco", ordering="name") == ["Aardvark Grill", "Zesty Taco"]


@pytest.mark.django_db
def test_with_a_point_q_narrows_the_nearby_search_nearest_first(api_client, vendor_a):
    # given a description match next to the point, a name match 2 km away, a name match out of range
    new_place(vendor_a, "Grill", description="taco", lat=AUSTIN[0], lng=AUSTIN[1])
    new_place(vendor_a, "Taco Near", lat=AUSTIN[0] + 0.018, lng=AUSTIN[1])
    new_place(vendor_a, "Taco Far", lat=AUSTIN[0] + 1.0, lng=AUSTIN[1])
    new_place(vendor_a, "Noodles", lat=AUSTIN[0], lng=AUSTIN[1])

    # when
    response = api_client.get(URL, {"q": "taco", "lat": AUSTIN[0], "lng": AUSTIN[1], "radius_km": 5})

    # then
    assert [(r["name"], r["distance_km"]) for r in response.json()["results"]] == [
        ("Grill", 0.0),
        ("Taco Near", 2.002),
    ]


@pytest.mark.django_db
def test_words_that_are_only_stop_words_or_punctuation_find_nothing(api_client, vendor_a):
    # given
    new_place(vendor_a, "The Taco Place")

    # when / then
    assert found(api_client, "the") == []
    assert found(api_client, '"-') == []


@pytest.mark.django_db
def test_refresh_all_builds_the_documents_of_bulk_loaded_places(api_client):
    # given places written without the services (as the demo's COPY does)
    factories.PlaceFactory(name="Taco Town")
    factories.PlaceFactory(name="Noodle Cart")

    # when
    rebuilt = search_documents_refresh_all()

    # then
    assert rebuilt == 2
    assert found(api_client, "taco") == ["Taco Town"]
