"""The audit trail: the services record who changed what, in the transaction of the change; owners read
it in the portal's History (by place and action, paginated), staff in the admin (read-only)."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from foodtrucks.audit_context import acting_as
from tests import factories
from trucks import services as trucks_services
from vendors import services as vendors_services
from vendors.models import AuditAction, AuditEntry, Role, VendorMember


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


def _entries():
    return list(AuditEntry.objects.order_by("id").values_list("actor_email", "action", "summary"))


@pytest.mark.django_db
def test_portal_check_in_records_the_member_and_what_moved(client, staff_a, place_a):
    client.force_login(staff_a)

    response = client.post(
        reverse("portal:place_check_in", kwargs={"pk": place_a.pk}),
        {"is_open": "1", "lat": "30.3", "lng": "-97.7", "address": "5th and Congress"},
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.place_id, entry.vendor_id) == (
        staff_a,
        AuditAction.CHECK_IN,
        place_a.pk,
        place_a.vendor_id,
    )
    assert entry.summary == "Checked in Taco Truck A at a new location: open"
    assert entry.changes["lat"][1] == 30.3 and entry.changes["address"][1] == "5th and Congress"


@pytest.mark.django_db(transaction=True)
def test_api_check_in_records_the_token_user(owner_a, place_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner_a).key}")
    url = reverse("api-vendor-place-check-in", kwargs={"place_id": place_a.pk})
    response = client.post(url, {"lat": 30.3, "lng": -97.7, "is_open": True}, format="json")
    assert response.status_code == 200, response.content
    assert AuditEntry.objects.get().actor == owner_a


@pytest.mark.django_db
def test_price_hours_exception_and_team_changes_are_recorded_with_their_fields(vendor_a, owner_a, staff_a, place_a):
    menu = factories.MenuFactory(vendor=vendor_a, name="Lunch")
    item = factories.MenuItemFactory(menu=menu, name="Elote", price=Decimal("3.50"))
    membership = VendorMember.objects.get(user=staff_a)

    with acting_as(owner_a):
        trucks_services.item_update(item=item, data={"price": Decimal("4.00")})
        trucks_services.opening_hours_replace(
            place=place_a, slots=[{"weekday": 0, "opens": time(11), "closes": time(15)}]
        )
        trucks_services.schedule_exception_create(place=place_a, date=date(2030, 1, 1), kind="closed")
        vendors_services.member_change_role(membership=membership, role=Role.MANAGER)
        trucks_services.place_update(place=place_a, data={"name": "Taco Truck Uno"})

    assert _entries() == [
        ("owner-a@example.com", "item", "Changed price of Elote"),
        ("owner-a@example.com", "hours", "Changed the opening hours of Taco Truck A (1 slot)"),
        ("owner-a@example.com", "exception", "Added an exception to Taco Truck A on Tue 01 Jan 2030: closed all day"),
        ("owner-a@example.com", "team", "Made staff-a@example.com manager"),
        ("owner-a@example.com", "place", "Changed name of Taco Truck Uno"),
    ]
    changes = list(AuditEntry.objects.order_by("id").values_list("changes", flat=True))
    assert changes[0] == {"price": ["3.50", "4.00"]}
    assert changes[3] == {"role": ["staff", "manager"]}
    assert changes[4] == {"name": ["Taco Truck A", "Taco Truck Uno"]}


@pytest.mark.django_db
def test_an_unchanged_save_records_nothing_and_a_failed_one_rolls_back_with_its_entry(place_a):
    trucks_services.place_update(place=place_a, data={"name": place_a.name})
    with pytest.raises(Exception):  # noqa: B017 - the service refuses the name, whatever the error type
        trucks_services.place_update(place=place_a, data={"name": ""})
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_without_a_request_the_entry_says_system(place_a):
    trucks_services.place_check_in(place=place_a, lat=None, lng=None, is_open=False)
    assert _entries() == [("", "check_in", "Checked in Taco Truck A: closed")]


@pytest.mark.django_db
def test_history_page_lists_the_vendors_entries_filtered_and_paginated(owner_client, owner_a, place_a, place_b):
    other = factories.PlaceFactory(vendor=place_a.vendor, name="Stand A2", kind="stand")
    with acting_as(owner_a):
        for n in range(55):
            trucks_services.place_check_in(place=place_a, lat=None, lng=None, is_open=n % 2 == 0)
        trucks_services.place_update(place=other, data={"name": "Stand A3"})
    trucks_services.place_update(place=place_b, data={"name": "B's secret rename"})

    first = owner_client.get(reverse("portal:history"))
    second = owner_client.get(reverse("portal:history"), {"page": 2})
    by_place = owner_client.get(reverse("portal:history"), {"place": other.pk})
    by_action = owner_client.get(reverse("portal:history"), {"action": "place"})

    assert (first.status_code, len(first.context["page"]), len(second.context["page"])) == (200, 50, 6)
    assert b"secret rename" not in first.content + second.content
    assert [entry.summary for entry in by_place.context["page"]] == ["Changed name of Stand A3"]
    assert [entry.summary for entry in by_action.context["page"]] == ["Changed name of Stand A3"]
    assert b"owner-a@example.com" in first.content


@pytest.mark.django_db
def test_history_refuses_another_vendors_place_and_unknown_actions(owner_client, place_b):
    response = owner_client.get(reverse("portal:history"), {"place": place_b.pk, "action": "nope"})
    assert response.status_code == 400
    assert set(response.context["filter_form"].errors) == {"place", "action"}


@pytest.mark.django_db
def test_managers_and_staff_cannot_read_the_history(client, manager_a, staff_a):
    for user in (manager_a, staff_a):
        client.force_login(user)
        assert client.get(reverse("portal:history")).status_code == 403


@pytest.mark.django_db
def test_staff_read_the_history_in_the_admin_and_cannot_change_it(client, staff_user, owner_a, place_a):
    with acting_as(owner_a):
        trucks_services.place_check_in(place=place_a, lat=None, lng=None, is_open=True)
    entry = AuditEntry.objects.get()
    client.force_login(staff_user)

    listing = client.get(reverse("admin:vendors_auditentry_changelist"))
    detail = client.get(reverse("admin:vendors_auditentry_change", args=[entry.pk]))
    delete = client.post(reverse("admin:vendors_auditentry_delete", args=[entry.pk]), {"post": "yes"})

    assert listing.status_code == 200 and b"Checked in Taco Truck A: open" in listing.content
    assert detail.status_code == 200 and b'name="summary"' not in detail.content
    assert delete.status_code == 403 and AuditEntry.objects.filter(pk=entry.pk).exists()
