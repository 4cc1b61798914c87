"""GET vendors/{id}/: a vendor's public profile with its active places."""

import pytest

from tests import factories
from vendors.models import VerificationStatus


def test_vendor_profile_lists_its_active_places(api_client, vendor_a, place_a):
    vendor_a.verification_status = VerificationStatus.VERIFIED
    vendor_a.website = "https://vendor-a.example.com"
    vendor_a.save(update_fields=["verification_status", "website"])
    factories.PlaceFactory(vendor=vendor_a, name="Closed for good", is_active=False)
    factories.PlaceFactory(name="Someone else's")

    response = api_client.get(f"/api/v1/vendors/{vendor_a.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["is_verified"]) == (vendor_a.pk, "Vendor A", True)
    assert body["website"] == "https://vendor-a.example.com"
    assert [p["name"] for p in body["places"]] == ["Taco Truck A"]
    assert "contact_email" not in body


def test_vendor_profile_unknown_is_404(api_client, db):
    response = api_client.get("/api/v1/vendors/999999/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such vendor.", "errors": {}}


@pytest.mark.parametrize("size", [1, 6])
def test_vendor_profile_query_count_is_constant(api_client, vendor_a, django_assert_num_queries, size):
    for place in factories.PlaceFactory.create_batch(size, vendor=vendor_a):
        place.categories.add(factories.CategoryFactory())

    # the cards' next openings (hours, exceptions) read with the cards
    with django_assert_num_queries(3):
        response = api_client.get(f"/api/v1/vendors/{vendor_a.pk}/")

    assert len(response.json()["places"]) == size
