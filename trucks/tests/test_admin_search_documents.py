"""Staff edits in the admin keep the places' search documents current (categories through
trucks.services; place and menu forms rebuild the documents they touch)."""

import pytest
from django.urls import reverse

from tests import factories
from trucks import services
from trucks.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def found(api_client, q: str) -> list[str]:
    return [row["name"] for row in api_client.get("/api/v1/places/", {"q": q}).json()["results"]]


def test_category_renamed_in_the_admin_renames_it_in_the_documents(staff_client, api_client, vendor_a):
    # given
    category = factories.CategoryFactory(name="Tacos", slug="tacos", position=0)
    services.place_create(
        vendor=vendor_a, kind="truck", name="Blue Truck", time_zone="America/Chicago", categories=[category]
    )

    # when
    response = staff_client.post(
        reverse("admin:trucks_category_change", args=[category.pk]),
        {"name": "Dumplings", "slug": "tacos", "position": 0},
    )

    # then
    assert response.status_code == 302
    assert Category.objects.get(pk=category.pk).name == "Dumplings"
    assert (found(api_client, "tacos"), found(api_client, "dumplings")) == ([], ["Blue Truck"])


def test_category_deleted_in_the_admin_leaves_the_documents(staff_client, api_client, vendor_a):
    # given
    category = factories.CategoryFactory(name="Dumplings", slug="dumplings")
    services.place_create(
        vendor=vendor_a, kind="truck", name="Blue Truck", time_zone="America/Chicago", categories=[category]
    )

    # when
    response = staff_client.post(reverse("admin:trucks_category_delete", args=[category.pk]), {"post": "yes"})

    # then
    assert response.status_code == 302
    assert found(api_client, "dumplings") == []
