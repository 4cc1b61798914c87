"""The portal's maps in headless Chromium (no tiles: MAP_TILE_URL is empty in tests, and any tile request
is blocked): the pin, dragged, saves its coordinates; the check-in is previewed on a map before it is
saved; the dashboard maps open and closed places; a new vendor signs up and sees its status."""

import pytest

from tests import factories
from tests.browser.conftest import log_in, screenshot
from tests.factories import DEFAULT_PASSWORD
from trucks.models import AddressSource, Place
from vendors.models import Role, Vendor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(db):
    vendor = factories.VendorFactory(business_name="Rolling Tacos", primary_state="TX")
    user = factories.UserFactory(email="owner@rolling.example")
    factories.VendorMemberFactory(vendor=vendor, user=user, role=Role.OWNER)
    return user, vendor


def _page(new_page, **options):
    page = new_page(**options)
    page.route("**/*.png?*", lambda route: route.abort())  # never reach a tile server
    page.route("https://*.openstreetmap.org/**", lambda route: route.abort())
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    page.csp_blocked = blocked
    return page


def _input_value(page, name: str) -> float:
    return float(page.locator(f"input[name={name}]").input_value())


def test_dragging_the_pin_saves_the_new_coordinates(new_page, owner):
    user, vendor = owner
    place = factories.PlaceFactory(vendor=vendor, name="Taco Rocket", lat=30.2672, lng=-97.7431)
    page = _page(new_page)
    log_in(page, user.email, DEFAULT_PASSWORD)
    page.goto(f"/portal/places/{place.pk}/edit/")

    pin = page.locator("[data-map-pin]")
    pin.scroll_into_view_if_needed()
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):  # a human drag: 120 px right, 80 px down
        page.mouse.move(x + 12 * step, y + 8 * step)
    page.mouse.up()

    lat, lng = _input_value(page, "lat"), _input_value(page, "lng")
    assert lat < 30.2672 and lng > -97.7431  # down is south, right is east
    assert "Not saved yet" in page.locator("[data-map-status]").inner_text()
    screenshot(page, "portal-map-pin-dragged")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/portal/places/")

    place.refresh_from_db()
    assert (place.lat, place.lng) == (lat, lng)
    assert page.csp_blocked == []


def test_typed_coordinates_move_the_pin_and_a_click_places_it(new_page, owner):
    user, vendor = owner
    place = factories.PlaceFactory(vendor=vendor, name="Taco Rocket", lat=None, lng=None, location_updated_at=None)
    page = _page(new_page)
    log_in(page, user.email, DEFAULT_PASSWORD)
    page.goto(f"/portal/places/{place.pk}/edit/")
    assert page.locator("[data-map-pin]").count() == 0

    page.locator("[data-map-picker]").click(position={"x": 150, "y": 120})
    assert page.locator("[data-map-pin]").count() == 1
    assert page.locator("input[name=lat]").input_value() != ""

    page.get_by_label("Latitude").fill("40.7128")
    page.get_by_label("Longitude").fill("-74.0060")
    centre = page.evaluate(
        "(() => { const c = document.querySelector('[data-map-picker]').mapPicker.map.getCenter();"
        " return [c.lat, c.lng]; })()"
    )
    assert centre == pytest.approx([40.7128, -74.0060], abs=1e-4)


def test_check_in_position_is_previewed_on_the_map_before_saving(new_page, owner):
    user, vendor = owner
    place = factories.PlaceFactory(vendor=vendor, name="Taco Rocket", lat=30.2672, lng=-97.7431)
    Place.objects.filter(pk=place.pk).update(address="Congress Ave & 6th", address_source=AddressSource.VENDOR)
    page = _page(
        new_page,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 30.2850, "longitude": -97.7250},
        permissions=["geolocation"],
    )
    log_in(page, user.email, DEFAULT_PASSWORD)
    page.goto(f"/portal/places/{place.pk}/check-in/")
    assert page.get_by_label("Address here").input_value() == ""  # the old street is not offered again

    page.get_by_role("button", name="Use my location").click()
    page.locator("[data-map-pin]").wait_for()

    assert (_input_value(page, "lat"), _input_value(page, "lng")) == (30.285, -97.725)
    assert "check the pin on the map" in page.locator("#locate-status").inner_text()
    assert page.locator("path.leaflet-interactive").count() == 1  # the last known position, for comparison
    # the map shows both: where the truck was and where it is now
    assert page.evaluate(
        "(() => { const b = document.querySelector('[data-map-picker]').mapPicker.map.getBounds();"
        " return b.contains([30.285, -97.725]) && b.contains([30.2672, -97.7431]); })()"
    )
    place.refresh_from_db()
    assert (place.lat, place.address) == (30.2672, "Congress Ave & 6th")  # nothing saved before "Save"
    screenshot(page, "portal-phone-check-in-preview")

    page.get_by_role("button", name="Save the check-in").click()
    page.wait_for_url("**/portal/")

    place.refresh_from_db()
    assert (place.lat, place.lng, place.address, place.address_source) == (30.285, -97.725, "", "none")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.csp_blocked == []


def test_dashboard_maps_open_and_closed_places_with_their_freshness(new_page, owner):
    user, vendor = owner
    factories.PlaceFactory(vendor=vendor, name="Open Truck", lat=30.27, lng=-97.74, is_open=True)
    factories.PlaceFactory(vendor=vendor, name="Closed Stand", kind="stand", lat=30.30, lng=-97.70, is_open=False)
    page = _page(new_page)
    log_in(page, user.email, DEFAULT_PASSWORD)

    dots = page.locator("[data-map-places] path[data-place-id]")
    dots.first.wait_for()
    assert sorted(dots.nth(i).get_attribute("data-open") for i in range(dots.count())) == ["0", "1"]
    page.locator('[data-map-places] path[data-open="1"]').click()
    popup = page.locator(".leaflet-popup-content")
    assert "Open Truck" in popup.inner_text() and "Location updated" in popup.inner_text()
    screenshot(page, "portal-dashboard-map")
    assert page.csp_blocked == []


def test_a_new_vendor_signs_up_sees_its_status_and_its_states_time_zone(new_page):
    page = _page(new_page, timezone_id="America/Denver")
    page.goto("/portal/login/")
    page.get_by_role("link", name="Sign up your food truck").click()
    page.get_by_label("Business name").fill("Arepa Express")
    page.get_by_label("City").fill("Austin")
    page.get_by_label("State").select_option("TX")
    page.get_by_label("Your first name").fill("Ana")
    page.get_by_label("Your last name").fill("Rojas")
    page.get_by_label("Email").fill("ana@arepa.example")
    page.get_by_label("Password").fill("arepas-all-day-42")
    page.get_by_role("button", name="Create my vendor account").click()
    page.wait_for_url("**/portal/")

    assert "Arepa Express is waiting for verification." in page.locator(".verification").inner_text()
    vendor = Vendor.objects.get(business_name="Arepa Express")
    assert (vendor.verification_status, vendor.memberships.get().role) == ("pending", Role.OWNER)
    screenshot(page, "portal-signup-pending")

    # a Texan vendor's first truck starts in Central time, whatever the browser's zone
    page.get_by_role("link", name="+ New truck or stand").first.click()
    assert page.get_by_label("Time zone").input_value() == "America/Chicago"
    assert "waiting for verification" in page.locator(".verification").inner_text()


def test_without_a_state_a_new_place_takes_the_browsers_time_zone(new_page, owner):
    user, vendor = owner
    Vendor.objects.filter(pk=vendor.pk).update(primary_state="")
    page = _page(new_page, timezone_id="America/Denver")
    log_in(page, user.email, DEFAULT_PASSWORD)

    page.goto("/portal/places/new/")

    assert page.get_by_label("Time zone").input_value() == "America/Denver"
