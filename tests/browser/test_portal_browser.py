"""The vendor portal in headless Chromium: the day of a truck, from log-in to charts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories
from tests.browser.conftest import log_in, screenshot
from tests.factories import DEFAULT_PASSWORD
from trucks.models import LocationSource, MenuItem, Place
from vendors.models import BusinessCertificate, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def owner(db):
    vendor = factories.VendorFactory(business_name="Rolling Tacos")
    user = factories.UserFactory(email="owner@rolling.example")
    factories.VendorMemberFactory(vendor=vendor, user=user, role=Role.OWNER)
    return user, vendor


def test_owner_logs_in_creates_a_truck_and_adds_a_menu_item(new_page, owner):
    user, vendor = owner
    page = new_page()
    log_in(page, user.email, DEFAULT_PASSWORD)

    # a truck
    page.get_by_role("link", name="+ New truck or stand").first.click()
    page.get_by_label("Name").fill("Taco Rocket")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_label("City").fill("Austin")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/hours/")
    assert "Taco Rocket was created." in page.locator(".messages").inner_text()
    place = Place.objects.get(vendor=vendor)

    # a menu attached to it, and an item
    page.get_by_role("link", name="Menus").click()
    page.get_by_role("link", name="+ New menu").click()
    page.get_by_label("Name").fill("Lunch")
    page.get_by_label("Taco Rocket (Truck)").check()
    page.get_by_role("button", name="Create").click()
    page.get_by_role("link", name="+ Add an item").click()
    page.get_by_label("Name").fill("Al pastor")
    page.get_by_label("Price").fill("4.50")
    page.get_by_label("Vegan").check()
    page.get_by_role("button", name="Add the item").click()
    page.wait_for_url("**/menus/#menu-*")

    assert "“Al pastor” was added to Lunch." in page.locator(".messages").inner_text()
    item = MenuItem.objects.get(menu__vendor=vendor)
    assert (item.name, item.price, item.is_vegetarian) == ("Al pastor", Decimal("4.50"), True)
    assert list(item.menu.places.all()) == [place]
    screenshot(page, "portal-menu-item")


def test_owner_checks_in_with_the_browsers_location(new_page, owner):
    user, vendor = owner
    place = factories.PlaceFactory(vendor=vendor, name="Taco Rocket", lat=None, lng=None, location_updated_at=None)
    page = new_page(geolocation={"latitude": 30.2500, "longitude": -97.7500}, permissions=["geolocation"])
    log_in(page, user.email, DEFAULT_PASSWORD)

    page.get_by_role("link", name="Check in here").click()
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_function("document.querySelector('input[name=lat]').value !== ''")
    page.get_by_role("button", name="Save the check-in").click()
    page.wait_for_url("**/portal/")

    assert "Taco Rocket is checked in at your location and shown as open." in page.locator(".messages").inner_text()
    place.refresh_from_db()
    assert (place.lat, place.lng, place.is_open, place.location_source) == (30.25, -97.75, True, LocationSource.PORTAL)
    screenshot(page, "portal-check-in")


def test_owner_uploads_a_certificate(new_page, owner, s3, settings):
    user, vendor = owner
    page = new_page()
    log_in(page, user.email, DEFAULT_PASSWORD)

    page.get_by_role("link", name="Certificates").click()
    page.get_by_label("Kind").select_option("health_permit")
    page.get_by_label("Expires on").fill((timezone.localdate() + timedelta(days=20)).isoformat())
    page.get_by_label("File").set_input_files({"name": "permit.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="Upload").click()
    page.wait_for_selector(".messages .success")

    certificate = BusinessCertificate.objects.get(vendor=vendor)
    keys = [obj["Key"] for obj in s3.list_objects_v2(Bucket=settings.AWS_PRIVATE_BUCKET_NAME)["Contents"]]
    assert f"private/{certificate.file.name}" in keys
    row = page.locator(f"#certificate-{certificate.pk}")
    assert "Expiring soon" in row.inner_text()
    assert "Pending review" in row.inner_text()
    screenshot(page, "portal-certificates")


def test_analytics_page_draws_the_charts(new_page, owner):
    user, vendor = owner
    place = factories.PlaceFactory(vendor=vendor, name="Taco Rocket")
    today = timezone.now().astimezone(place.tzinfo).date()
    for offset in range(1, 8):
        factories.DailyPlaceStatsFactory(
            place=place,
            date=today - timedelta(days=offset),
            views=10 + offset,
            cells=[[3026 + offset % 2, -9774, offset, 1]],
        )
    factories.UserInteractionFactory(place=place)  # today so far: one view, the partial point
    factories.RatingFactory(place=place, stars=Decimal("4.5"))
    page = new_page(viewport={"width": 1200, "height": 900})
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())  # the tests run without tiles
    log_in(page, user.email, DEFAULT_PASSWORD)

    page.get_by_role("link", name="Analytics").click()
    page.wait_for_selector("html[data-charts-drawn='4']")
    # the heat map draws the two cells as squares, without tiles
    page.wait_for_selector("#heatmap[data-cells-drawn='2']")
    assert page.locator("#heatmap path.leaflet-interactive").count() == 2
    # today so far is the last point, marked partial, with its own legend line
    legend = page.evaluate(
        """() => { const c = window.Chart.getChart(document.getElementById("chart-daily"));
                   const views = c.data.datasets[0];
                   return {labels: c.data.datasets.map((d) => d.label), last: views.data[views.data.length - 1],
                           firstValue: views.data[0], lastStyle: views.pointStyle[views.pointStyle.length - 1]}; }"""
    )
    assert legend["labels"][-1] == "Today so far (partial)"
    assert (legend["last"], legend["lastStyle"], legend["firstValue"]) == (1, "rectRot", None)
    assert "No data before" in page.locator("#no-data-before").inner_text()

    drawn = page.evaluate(
        """() => ["chart-daily", "chart-hours", "chart-ratings", "chart-places"].map((id) => {
            const canvas = document.getElementById(id);
            const chart = window.Chart.getChart(canvas);
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { painted++; } }
            return {id, hasChart: Boolean(chart), points: chart ? chart.data.datasets[0].data.length : 0, painted};
        })"""
    )
    assert [(c["id"], c["hasChart"]) for c in drawn] == [
        ("chart-daily", True),
        ("chart-hours", True),
        ("chart-ratings", True),
        ("chart-places", True),
    ]
    assert [c["points"] for c in drawn] == [30, 24, 9, 1]
    page.locator("#heatmap-section").scroll_into_view_if_needed()
    assert all(c["painted"] > 500 for c in drawn)
    screenshot(page, "portal-analytics")


def test_staff_checks_in_on_a_phone_by_typing_coordinates(new_page, owner):
    _, vendor = owner
    staff = factories.UserFactory(email="cook@rolling.example")
    factories.VendorMemberFactory(vendor=vendor, user=staff, role=Role.STAFF)
    place = factories.PlaceFactory(vendor=vendor, name="Taco Rocket")
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(page, staff.email, DEFAULT_PASSWORD)

    # the nav folds behind the menu button on a phone, and staff see no owner pages
    assert page.locator("#portal-nav").is_hidden()
    page.get_by_role("button", name="Menu").click()
    assert page.locator("#portal-nav").is_visible()
    assert page.get_by_role("link", name="Team").count() == 0

    page.get_by_role("link", name="Check in here").click()
    page.get_by_label("Latitude").fill("30.2711")
    page.get_by_label("Longitude").fill("-97.7437")
    page.get_by_label("Address").fill("Congress Ave & 6th")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/portal/")

    assert "is checked in at your location and shown as open." in page.locator(".messages").inner_text()
    place.refresh_from_db()
    assert (place.lat, place.lng, place.address, place.is_open) == (30.2711, -97.7437, "Congress Ave & 6th", True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows sideways
    screenshot(page, "portal-phone-check-in")

    # the places list stacks its table into rows on a phone
    page.goto("/portal/places/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "portal-phone-places")


def test_owner_answers_a_review_on_a_phone_and_the_api_shows_the_reply(new_page, owner, live_server):
    user, vendor = owner
    place = factories.PlaceFactory(vendor=vendor, name="Taco Rocket")
    review = factories.RatingFactory(place=place, stars=Decimal("2.0"), review="Tortillas were cold.")
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(page, user.email, DEFAULT_PASSWORD)

    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Reviews").click()
    page.get_by_label("Only reviews without a reply").check()
    page.get_by_role("button", name="Show").click()
    assert "Tortillas were cold." in page.locator(f"#review-{review.pk}").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "portal-phone-reviews")

    page.locator(f"#review-{review.pk}").get_by_role("link", name="Reply").click()
    page.get_by_label("Your public reply").fill("Sorry! The warmer is fixed.")
    page.get_by_role("button", name="Publish reply").click()
    page.wait_for_url("**/portal/reviews/#review-*")
    assert "Your reply is published under the review." in page.locator(".messages").inner_text()

    answer = page.request.get(f"{live_server.url}/api/v1/places/{place.pk}/").json()
    assert answer["recent_reviews"][0]["reply"]["text"] == "Sorry! The warmer is fixed."
