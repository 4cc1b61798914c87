"""Login, logout, password reset and the vendor switcher."""

import pytest
from django.core import mail
from django.urls import reverse

from portal.access import SESSION_VENDOR_KEY
from tests import factories
from tests.factories import DEFAULT_PASSWORD
from vendors.models import Role


@pytest.mark.django_db
def test_vendor_member_logs_in_and_lands_on_the_dashboard(client, owner_a):
    response = client.post(reverse("portal:login"), {"username": owner_a.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


@pytest.mark.django_db
def test_consumer_login_is_refused_with_a_clear_message(client, consumer):
    response = client.post(reverse("portal:login"), {"username": consumer.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    assert "This account is not a member of any vendor." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_password_is_refused(client, owner_a):
    response = client.post(reverse("portal:login"), {"username": owner_a.email, "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct email address and password." in response.content.decode()


@pytest.mark.django_db
def test_logout_is_a_post_and_returns_to_login(client, owner_a):
    client.force_login(owner_a)

    response = client.post(reverse("portal:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_sends_a_portal_link(client, owner_a):
    response = client.post(reverse("portal:password_reset"), {"email": owner_a.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "http://testserver/portal/password-reset/" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Your Food Trucks portal password"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["login", "password_reset", "password_reset_done", "password_reset_complete"])
def test_public_auth_pages_open_for_anonymous_visitors(client, name):
    assert client.get(reverse(f"portal:{name}")).status_code == 200


@pytest.mark.django_db
def test_member_of_two_vendors_switches_between_them(client, owner_a, vendor_a, vendor_b, place_a, place_b):
    # given a user in two vendors
    factories.VendorMemberFactory(vendor=vendor_b, user=owner_a, role=Role.MANAGER)
    client.force_login(owner_a)
    first = client.get(reverse("portal:dashboard")).content.decode()
    assert "Taco Truck A" in first
    assert 'id="vendor-switch"' in first

    # when they switch to vendor B
    response = client.post(reverse("portal:switch_vendor"), {"vendor": vendor_b.pk}, follow=True)

    # then the dashboard is vendor B's, with a message, and the choice is kept in the session
    html = response.content.decode()
    assert "You are now working for Vendor B." in html
    assert "Burger Stand B" in html
    assert "Taco Truck A" not in html
    assert client.session[SESSION_VENDOR_KEY] == vendor_b.pk


@pytest.mark.django_db
def test_dashboard_lists_places_with_todays_figures_in_pinned_queries(
    client, owner_a, vendor_a, place_a, django_assert_num_queries
):
    # given two places, one with events today
    other = factories.PlaceFactory(vendor=vendor_a, name="Second Truck", time_zone="America/New_York")
    factories.UserInteractionFactory(place=place_a, type="VIEW")
    factories.UserInteractionFactory(place=place_a, type="VIEW")
    factories.UserInteractionFactory(place=place_a, type="CLICK")
    client.force_login(owner_a)

    # when the dashboard is opened: session, user, memberships, places, categories, 2 zones of events,
    # follower counts
    with django_assert_num_queries(8):
        response = client.get(reverse("portal:dashboard"))

    # then each place shows its figures
    assert response.status_code == 200
    rows = {place.pk: today for place, today in response.context["rows"]}
    assert rows == {place_a.pk: {"views": 2, "clicks": 1}, other.pk: {"views": 0, "clicks": 0}}
    assert response.context["totals"] == {"views": 2, "clicks": 1, "open": 0}


@pytest.mark.django_db
def test_invited_member_without_password_can_ask_for_a_new_link(client, vendor_a):
    # given a team member invited by email who never set a password
    invited = factories.UserFactory(email="invited@example.com")
    invited.set_unusable_password()
    invited.save(update_fields=["password"])
    factories.VendorMemberFactory(vendor=vendor_a, user=invited, role=Role.STAFF)

    # when they use "forgot your password"
    client.post(reverse("portal:password_reset"), {"email": "invited@example.com"})

    # then they get one link
    assert [message.to for message in mail.outbox] == [["invited@example.com"]]


@pytest.mark.django_db
def test_places_certificates_and_team_pages_queries_are_pinned(
    client, s3, owner_a, vendor_a, staff_a, manager_a, django_assert_num_queries
):
    for n in range(4):
        place = factories.PlaceFactory(vendor=vendor_a, name=f"Place {n}")
        place.categories.add(factories.CategoryFactory(name=f"Cat {n}", slug=f"cat-{n}"))
        factories.BusinessCertificateFactory(vendor=vendor_a)
    client.force_login(owner_a)

    # session, user, memberships, places, their categories
    with django_assert_num_queries(5):
        assert client.get(reverse("portal:places")).status_code == 200
    # session, user, memberships, certificates with reviewer and uploader
    with django_assert_num_queries(4):
        assert client.get(reverse("portal:certificates")).status_code == 200
    # session, user, memberships, members with their users
    with django_assert_num_queries(4):
        assert client.get(reverse("portal:team")).status_code == 200
