"""A check-in never pairs new coordinates with an old street: the address moves with the position or goes.

The reverse geocoder (off by default) fills an empty address after commit from a local fake
Nominatim, and only while the place still sits where it was looked up.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from conftest import token_client
from tests import factories
from trucks.geocoding import place_address_from_geocoder
from trucks.models import AddressSource, Place
from trucks.services import place_check_in, place_create, place_update

pytestmark = pytest.mark.django_db

# place_a stands at (30.2672, -97.7431); ~2.5 km north-east:
MOVED = (30.2850, -97.7250)


@pytest.fixture
def at_congress(place_a):
    Place.objects.filter(pk=place_a.pk).update(address="Congress Ave & 6th", address_source=AddressSource.VENDOR)
    place_a.refresh_from_db()
    return place_a


def test_check_in_at_new_coordinates_without_an_address_clears_the_old_one(at_congress):
    place = place_check_in(place=at_congress, lat=MOVED[0], lng=MOVED[1], is_open=True)

    stored = Place.objects.get(pk=place.pk)
    assert (stored.lat, stored.lng, stored.address, stored.address_source) == (*MOVED, "", AddressSource.NONE)


def test_check_in_at_new_coordinates_takes_the_address_typed_with_it(at_congress):
    place_check_in(place=at_congress, lat=MOVED[0], lng=MOVED[1], is_open=True, address="Mueller Lake Park")

    stored = Place.objects.get(pk=at_congress.pk)
    assert (stored.address, stored.address_source) == ("Mueller Lake Park", AddressSource.VENDOR)


def test_check_in_at_the_same_spot_keeps_the_address(at_congress):
    # 10 m off (GPS jitter at the same stop)
    place_check_in(place=at_congress, lat=30.2673, lng=-97.7432, is_open=True)

    stored = Place.objects.get(pk=at_congress.pk)
    assert (stored.address, stored.address_source) == ("Congress Ave & 6th", AddressSource.VENDOR)


def test_an_older_check_in_does_not_clear_a_newer_address(at_congress):
    from datetime import timedelta

    from django.utils import timezone

    place_check_in(place=at_congress, lat=MOVED[0], lng=MOVED[1], is_open=True, address="Mueller Lake Park")
    place_check_in(place=at_congress, lat=30.30, lng=-97.70, is_open=True, at=timezone.now() - timedelta(minutes=5))

    stored = Place.objects.get(pk=at_congress.pk)
    assert (stored.lat, stored.lng, stored.address) == (*MOVED, "Mueller Lake Park")


def test_created_and_edited_addresses_are_the_vendors(vendor_a):
    place = place_create(vendor=vendor_a, kind="stand", name="Kiosk", time_zone="America/Chicago", address="1 Main")
    assert place.address_source == AddressSource.VENDOR

    place_update(place=place, data={"address": ""})
    place.refresh_from_db()
    assert (place.address, place.address_source) == ("", AddressSource.NONE)


def test_portal_check_in_form_does_not_prefill_the_old_address(client, staff_a, at_congress):
    client.force_login(staff_a)
    url = reverse("portal:place_check_in", kwargs={"pk": at_congress.pk})

    page = client.get(url)
    assert page.context["form"]["address"].value() in (None, "")
    assert "Congress Ave" not in page.content.decode().split('id="checkin-form"')[1]

    # the form sent as the page gave it, at new coordinates
    response = client.post(
        url, {"lat": str(MOVED[0]), "lng": str(MOVED[1]), "address": "", "is_open": "1"}, follow=True
    )
    assert "Its old address was cleared: it named the previous spot." in response.content.decode()

    stored = Place.objects.get(pk=at_congress.pk)
    assert (stored.lat, stored.lng, stored.address, stored.address_source) == (*MOVED, "", AddressSource.NONE)


def test_api_check_in_at_new_coordinates_leaves_no_old_address(staff_a, at_congress):
    api = token_client(staff_a)

    response = api.post(
        f"/api/v1/vendor/places/{at_congress.pk}/location/", {"lat": MOVED[0], "lng": MOVED[1], "is_open": True}
    )

    assert response.status_code == 200
    assert (response.json()["address"], response.json()["address_source"]) == ("", "none")
    detail = api.get(f"/api/v1/places/{at_congress.pk}/").json()
    assert (detail["lat"], detail["lng"], detail["address"], detail["address_source"]) == (*MOVED, "", "none")
    cards = api.get("/api/v1/places/", {"lat": MOVED[0], "lng": MOVED[1], "radius_km": 5}).json()["results"]
    card = next(card for card in cards if card["id"] == at_congress.pk)
    assert (card["address"], card["address_source"]) == ("", "none")


def test_api_check_in_sends_the_address_with_the_coordinates(staff_a, at_congress):
    response = token_client(staff_a).post(
        f"/api/v1/vendor/places/{at_congress.pk}/location/",
        {"lat": MOVED[0], "lng": MOVED[1], "is_open": True, "address": "Mueller Lake Park"},
        format="json",
    )

    assert (response.json()["address"], response.json()["address_source"]) == ("Mueller Lake Park", "vendor")


# --- reverse geocoding, against a local fake Nominatim ---------------------------------------------------


class _FakeNominatim(BaseHTTPRequestHandler):
    delay = 0.0
    status = 200
    queries: list[str] = []

    def do_GET(self):
        type(self).queries.append(self.path)
        time.sleep(type(self).delay)
        body = json.dumps(
            {"display_name": "x", "address": {"house_number": "1901", "road": "Aldrich Street", "city": "Austin"}}
        ).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def geocoder(settings):
    _FakeNominatim.delay, _FakeNominatim.status, _FakeNominatim.queries = 0.0, 200, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.REVERSE_GEOCODER_URL = f"http://127.0.0.1:{server.server_port}"
    settings.REVERSE_GEOCODER_TIMEOUT = 0.5
    yield _FakeNominatim
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True)
def test_geocoder_fills_the_address_of_a_moved_place_after_commit(geocoder, vendor_a):
    place = factories.PlaceFactory(vendor=vendor_a, address="Congress Ave", address_source=AddressSource.VENDOR)

    place_check_in(place=place, lat=MOVED[0], lng=MOVED[1], is_open=True)

    stored = Place.objects.get(pk=place.pk)
    assert (stored.address, stored.address_source) == ("1901 Aldrich Street, Austin", AddressSource.GEOCODER)
    assert geocoder.queries == ["/reverse?format=jsonv2&lat=30.285000&lon=-97.725000"]


@pytest.mark.django_db(transaction=True)
def test_a_typed_address_is_never_looked_up(geocoder, vendor_a):
    place = factories.PlaceFactory(vendor=vendor_a)

    place_check_in(place=place, lat=MOVED[0], lng=MOVED[1], is_open=True, address="By the lake")

    assert Place.objects.get(pk=place.pk).address == "By the lake"
    assert geocoder.queries == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failure", ["timeout", "error"])
def test_a_slow_or_failing_geocoder_never_fails_the_check_in(geocoder, vendor_a, failure):
    geocoder.delay, geocoder.status = (1.0, 200) if failure == "timeout" else (0.0, 500)
    place = factories.PlaceFactory(vendor=vendor_a, address="Congress Ave", address_source=AddressSource.VENDOR)

    answered = place_check_in(place=place, lat=MOVED[0], lng=MOVED[1], is_open=True)

    stored = Place.objects.get(pk=place.pk)
    assert (answered.lat, stored.lat, stored.address, stored.address_source) == (MOVED[0], MOVED[0], "", "none")


def test_geocoder_writes_nothing_once_the_place_moved_on(geocoder, vendor_a):
    place = factories.PlaceFactory(vendor=vendor_a, lat=30.30, lng=-97.70)

    assert place_address_from_geocoder(place_id=place.pk, lat=MOVED[0], lng=MOVED[1]) is False

    assert Place.objects.get(pk=place.pk).address == ""
    assert geocoder.queries == []


def test_cards_say_whether_the_vendor_is_verified(api_client, place_a, place_b):
    from vendors.models import Vendor, VerificationStatus

    Vendor.objects.filter(pk=place_b.vendor_id).update(verification_status=VerificationStatus.VERIFIED)

    cards = api_client.get("/api/v1/places/", {"lat": 30.2672, "lng": -97.7431, "radius_km": 5}).json()["results"]

    assert {card["id"]: card["vendor"]["is_verified"] for card in cards} == {place_a.pk: False, place_b.pk: True}
