"""The public vendor sign-up, the verification banner and a new place's default time zone."""

import pytest
from django.urls import reverse

from accounts.models import User
from portal.views.signup import SignUpThrottle
from tests import factories
from vendors.models import Role, Vendor, VendorMember, VerificationStatus

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "business_name": "Austin Arepas",
    "primary_city": "Austin",
    "primary_state": "TX",
    "first_name": "Ana",
    "last_name": "Rojas",
    "email": "Ana@Example.com",
    "password": "arepas-all-day-42",
}


def test_sign_up_creates_an_owner_and_a_pending_vendor_and_signs_in(client):
    response = client.post(reverse("portal:signup"), SIGN_UP, follow=True)

    vendor = Vendor.objects.get(business_name="Austin Arepas")
    user = User.objects.get(email="ana@example.com")
    assert (vendor.verification_status, vendor.primary_city, vendor.primary_state) == ("pending", "Austin", "TX")
    assert vendor.contact_email == "ana@example.com"
    assert VendorMember.objects.filter(vendor=vendor, user=user, role=Role.OWNER).exists()
    assert response.redirect_chain == [(reverse("portal:dashboard"), 302)]
    page = response.content.decode()
    assert "Austin Arepas is waiting for verification." in page
    assert "waiting for verification by our staff" in page


def test_sign_up_refusals_are_by_the_field_and_create_nothing(client):
    factories.UserFactory(email="taken@example.com")

    response = client.post(
        reverse("portal:signup"),
        {**SIGN_UP, "business_name": "", "primary_state": "XX", "email": "taken@example.com", "password": "123"},
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["business_name"] == ["This field is required."]
    assert errors["primary_state"] == ["Select a valid choice. XX is not one of the available choices."]
    assert not Vendor.objects.filter(primary_city="Austin").exists()

    response = client.post(reverse("portal:signup"), {**SIGN_UP, "email": "taken@example.com", "password": "123"})
    errors = response.context["form"].errors
    assert errors["email"] == ["A user with this email address already exists."]
    assert any("too short" in message for message in errors["password"])
    assert not Vendor.objects.filter(business_name="Austin Arepas").exists()
    assert not User.objects.filter(first_name="Ana").exists()


def test_sign_ups_are_throttled_per_client_address(client, monkeypatch):
    # the API register endpoint's rate, lowered to 2 an hour
    monkeypatch.setattr(SignUpThrottle, "THROTTLE_RATES", {"register": "2/hour"})
    for _ in range(2):
        assert client.post(reverse("portal:signup"), {**SIGN_UP, "business_name": ""}).status_code == 400

    response = client.post(reverse("portal:signup"), SIGN_UP)

    assert response.status_code == 429
    assert "Too many sign-ups from this connection" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert not Vendor.objects.filter(business_name="Austin Arepas").exists()


@pytest.mark.parametrize(
    ("status", "note", "shown"),
    [
        ("pending", "", "is waiting for verification"),
        ("rejected", "The health permit is unreadable.", "Our staff’s note: “The health permit is unreadable.”"),
    ],
)
def test_every_page_shows_the_verification_status_until_verified(client, owner_a, vendor_a, status, note, shown):
    Vendor.objects.filter(pk=vendor_a.pk).update(verification_status=status, verification_note=note)
    client.force_login(owner_a)

    for name in ("portal:dashboard", "portal:places", "portal:menus", "portal:team"):
        assert shown in client.get(reverse(name)).content.decode(), name

    Vendor.objects.filter(pk=vendor_a.pk).update(verification_status=VerificationStatus.VERIFIED)
    assert 'class="verification' not in client.get(reverse("portal:dashboard")).content.decode()


@pytest.mark.parametrize(("state", "zone"), [("TX", "America/Chicago"), ("AZ", "America/Phoenix"), ("", "")])
def test_new_place_time_zone_defaults_from_the_vendors_state(client, owner_a, vendor_a, state, zone):
    Vendor.objects.filter(pk=vendor_a.pk).update(primary_state=state)
    client.force_login(owner_a)

    form = client.get(reverse("portal:place_create")).context["form"]

    assert form["time_zone"].value() == zone
    assert "data-browser-time-zone" in str(form["time_zone"])


def test_without_a_state_the_zone_most_places_use_is_the_default(client, owner_a, vendor_a):
    factories.PlaceFactory(vendor=vendor_a, time_zone="America/Denver")
    factories.PlaceFactory(vendor=vendor_a, time_zone="America/Denver")
    factories.PlaceFactory(vendor=vendor_a, time_zone="America/Chicago")
    client.force_login(owner_a)

    assert client.get(reverse("portal:place_create")).context["form"]["time_zone"].value() == "America/Denver"
