"""The user admin: email login, a password on the add page, emails stored lower-cased."""

import pytest
from django.urls import reverse

from accounts.models import User


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_user_add_page_when_email_and_password_given_creates_a_user_who_can_log_in(staff_client, client):
    # when
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.com",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "first_name": "New",
            "last_name": "Person",
            "phone_number": "+12125550199",
        },
    )

    # then
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert (user.first_name, user.last_name, user.phone_number) == ("New", "Person", "+12125550199")
    assert user.check_password("a-long-enough-passphrase")
    assert (user.is_staff, user.is_superuser) == (False, False)


@pytest.mark.django_db
def test_user_add_page_when_email_taken_in_other_case_shows_field_error(staff_client, consumer):
    # when
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "CONSUMER@example.com",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )

    # then
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="consumer@example.com").count() == 1


@pytest.mark.django_db
def test_user_changelist_when_searching_by_phone_finds_the_user(staff_client, consumer):
    # when
    response = staff_client.get(reverse("admin:accounts_user_changelist"), {"q": consumer.phone_number})

    # then
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [consumer]
