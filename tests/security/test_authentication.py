"""Authentication under attack: brute-force lockout on every login door, token revocation,
password reset that does not reveal accounts, and secure cookies in production."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token

from conftest import token_client
from tests.factories import DEFAULT_PASSWORD

WRONG = "not-the-password"
API_LOGIN = "/api/v1/auth/token/"
ADMIN_LOGIN = "/admin/login/?next=/admin/"


def _api_login(api_client, email, password):
    return api_client.post(API_LOGIN, {"email": email, "password": password}, format="json")


def _portal_login(client, email, password):
    return client.post(reverse("portal:login"), {"username": email, "password": password})


def _admin_login(client, email, password):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password})


def test_api_login_after_five_failures_is_locked_with_json_429_even_with_the_right_password(
    api_client, axes_enabled, consumer
):
    # given four wrong passwords (each a 400 with a field message)
    codes = [_api_login(api_client, consumer.email, WRONG).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 400]
    # when the fifth fails and then the right password is sent
    fifth = _api_login(api_client, consumer.email, WRONG)
    right = _api_login(api_client, consumer.email, DEFAULT_PASSWORD)
    # then both answer the lockout in the API's error shape, and no token is issued
    for response in (fifth, right):
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Too many failed login attempts. Try again in 15 minutes.", "errors": {}}
        assert response["Retry-After"] == "900"
    assert not Token.objects.filter(user=consumer).exists()


def test_api_login_lockout_when_the_email_changes_case_still_applies(api_client, axes_enabled, consumer):
    for _ in range(5):
        _api_login(api_client, consumer.email.upper(), WRONG)
    response = _api_login(api_client, consumer.email, DEFAULT_PASSWORD)
    assert response.status_code == 429


def test_portal_login_after_five_failures_is_locked_with_a_page_even_with_the_right_password(
    client, axes_enabled, owner_a
):
    # given four wrong passwords: the form answers again with its error
    codes = [_portal_login(client, owner_a.email, WRONG).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 200]
    # when the fifth fails and then the right password is sent
    fifth = _portal_login(client, owner_a.email, WRONG)
    right = _portal_login(client, owner_a.email, DEFAULT_PASSWORD)
    # then a lockout page answers both, and nobody is logged in
    for response in (fifth, right):
        assert response.status_code == 429
        assert response["Content-Type"].startswith("text/html")
        assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_after_five_failures_is_locked_with_a_page_even_with_the_right_password(
    client, axes_enabled, staff_user
):
    codes = [_admin_login(client, staff_user.email, WRONG).status_code for _ in range(5)]
    right = _admin_login(client, staff_user.email, DEFAULT_PASSWORD)
    assert codes == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert "Too many failed sign-in attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_when_one_door_is_attacked_covers_the_other_doors(api_client, client, axes_enabled, owner_a):
    # given five wrong passwords through the API
    for _ in range(5):
        _api_login(api_client, owner_a.email, WRONG)
    # when the same account signs in to the portal with the right password from the same address
    response = _portal_login(client, owner_a.email, DEFAULT_PASSWORD)
    # then the portal is locked too: one counter per account and address
    assert response.status_code == 429


def test_token_after_logout_answers_401(consumer):
    # given a consumer with a working token
    api = token_client(consumer)
    assert api.get("/api/v1/me/").status_code == 200
    # when they log out
    logout = api.post("/api/v1/auth/logout/")
    # then the same token is refused everywhere
    assert logout.status_code == 204
    assert api.get("/api/v1/me/").status_code == 401
    assert api.get("/api/v1/me/favorites/").status_code == 401
    assert api.post("/api/v1/auth/logout/").status_code == 401


def test_token_of_a_deactivated_user_answers_401(consumer):
    api = token_client(consumer)
    consumer.is_active = False
    consumer.save(update_fields=["is_active"])
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted.", "errors": {}}


@pytest.mark.django_db
def test_password_reset_for_known_and_unknown_emails_answers_the_same(client, owner_a):
    # given one email of a member and one that no account has
    url = reverse("portal:password_reset")
    # when both ask for a reset
    known = client.post(url, {"email": owner_a.email})
    unknown = client.post(url, {"email": "nobody-here@example.com"})
    # then both answer the same redirect to the same page
    assert (known.status_code, known["Location"]) == (302, reverse("portal:password_reset_done"))
    assert (unknown.status_code, unknown["Location"]) == (302, reverse("portal:password_reset_done"))
    known_page = client.get(known["Location"])
    unknown_page = client.get(unknown["Location"])
    assert known_page.status_code == unknown_page.status_code == 200
    assert known_page.content == unknown_page.content
    # and only the known address gets an email
    assert [message.to for message in mail.outbox] == [[owner_a.email]]


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "foodtrucks.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/foodtrucks_unused",
}

_COOKIE_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/portal/login/", secure=True, HTTP_HOST="foodtrucks.example.com")
csrf = response.cookies["csrftoken"]
print(json.dumps({
    "status": response.status_code,
    "csrf_cookie": {"secure": csrf["secure"], "samesite": csrf["samesite"]},
    "settings": {name: getattr(settings, name) for name in [
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT", "DEBUG",
    ]},
}))
"""


def test_production_settings_when_secrets_given_send_secure_session_and_csrf_cookies():
    # given the production settings with their secrets, in a fresh process
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_", "DATABASE_"))}
    # when the portal login page is fetched over HTTPS
    result = subprocess.run(
        [sys.executable, "-c", _COOKIE_PROBE],
        env={**clean, **PRODUCTION_ENV},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    # then the CSRF cookie it sets is Secure, and the session cookie settings are Secure and HttpOnly
    assert probe["status"] == 200
    assert probe["csrf_cookie"] == {"secure": True, "samesite": "Lax"}
    assert probe["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "DEBUG": False,
    }
