"""The week editor in Chromium: add slots, "(next day)" as it is typed, copy Monday to the weekdays."""

from datetime import time

import pytest

from tests import factories
from tests.browser.conftest import log_in, screenshot
from tests.factories import DEFAULT_PASSWORD
from trucks.models import OpeningHours
from vendors.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_fills_the_week_in_one_save_on_a_phone(new_page):
    vendor = factories.VendorFactory(business_name="Rolling Tacos")
    owner = factories.UserFactory(email="owner@rolling.example")
    factories.VendorMemberFactory(vendor=vendor, user=owner, role=Role.OWNER)
    place = factories.PlaceFactory(vendor=vendor, name="Taco Rocket")
    factories.OpeningHoursFactory(place=place, weekday=5, opens=time(10), closes=time(14))
    tuesday = factories.OpeningHoursFactory(place=place, weekday=1, opens=time(8), closes=time(9))
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, owner.email, DEFAULT_PASSWORD)
    page.goto(f"/portal/places/{place.pk}/hours/")

    monday = page.locator("#day-0")
    monday.get_by_label("Opens").fill("11:00")
    monday.get_by_label("Closes").fill("15:00")
    monday.get_by_role("button", name="+ Add a slot on Monday").click()
    evening = monday.locator("[data-slot]").nth(1)
    evening.get_by_label("Opens").fill("20:00")
    evening.get_by_label("Closes").fill("02:00")
    # the overnight slot says so as it is typed; the lunch slot does not
    assert evening.locator("[data-next-day]").is_visible()
    assert not monday.locator("[data-slot]").nth(0).locator("[data-next-day]").is_visible()

    page.get_by_role("button", name="Copy Monday to weekdays").click()
    assert "Monday copied to Tuesday, Wednesday, Thursday, Friday." in page.locator("[data-hours-status]").inner_text()
    # Tuesday's saved slot gives way (marked "Remove"), and Tuesday now shows Monday's two slots
    assert page.locator("#day-1 [data-slot].slot--removed").count() == 1
    assert page.locator("#day-4 [data-slot]:not(.slot--removed)").count() == 2
    screenshot(page, "portal-phone-hours-copied")

    page.get_by_role("button", name="Save the week").click()
    page.wait_for_selector(".messages .success")

    week = OpeningHours.objects.filter(place=place).order_by("weekday", "opens")
    assert list(week.values_list("weekday", "opens", "closes")) == [
        *[(day, start, end) for day in range(5) for start, end in ((time(11), time(15)), (time(20), time(2)))],
        (5, time(10), time(14)),
    ]
    assert not OpeningHours.objects.filter(pk=tuesday.pk).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_slots_planned_stop_is_placed_with_a_pin_on_a_phone(new_page):
    vendor = factories.VendorFactory(business_name="Rolling Tacos")
    owner = factories.UserFactory(email="owner@rolling.example")
    factories.VendorMemberFactory(vendor=vendor, user=owner, role=Role.OWNER)
    place = factories.PlaceFactory(vendor=vendor, name="Taco Rocket", lat=30.2672, lng=-97.7431)
    factories.OpeningHoursFactory(place=place, weekday=0, opens=time(11), closes=time(15))
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.route("**/*.png?*", lambda route: route.abort())  # never reach a tile server
    log_in(page, owner.email, DEFAULT_PASSWORD)
    page.goto(f"/portal/places/{place.pk}/hours/")

    # a saved slot's map waits, closed, until its planned stop is opened
    monday = page.locator("#day-0 [data-slot]").nth(0)
    assert monday.locator(".leaflet-container").count() == 0
    monday.locator("summary").click()
    picker = monday.locator("[data-map-picker]")
    picker.wait_for(state="visible")
    assert picker.bounding_box()["height"] > 100
    picker.click(position={"x": 200, "y": 60})  # north of the usual position, the map's centre
    assert monday.locator("[data-map-pin]").count() == 1
    lat = float(monday.get_by_label("Latitude").input_value())
    lng = float(monday.get_by_label("Longitude").input_value())
    assert lat > 30.2672 and abs(lng - -97.7431) < 0.05

    # a slot added now gets its own map too
    page.locator("#day-2").get_by_role("button", name="+ Add a slot on Wednesday").click()
    wednesday = page.locator("#day-2 [data-slot]").nth(0)
    wednesday.get_by_label("Opens").fill("17:00")
    wednesday.get_by_label("Closes").fill("21:00")
    wednesday.locator("summary").click()
    wednesday.locator("[data-map-picker]").click(position={"x": 120, "y": 120})
    assert wednesday.locator("[data-map-pin]").count() == 1
    screenshot(page, "portal-phone-hours-slot-pin")

    page.get_by_role("button", name="Save the week").click()
    page.wait_for_selector(".messages .success")

    saved = OpeningHours.objects.get(place=place, weekday=0)
    assert (round(saved.lat, 6), round(saved.lng, 6)) == (round(lat, 6), round(lng, 6))
    assert OpeningHours.objects.get(place=place, weekday=2).lat is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
