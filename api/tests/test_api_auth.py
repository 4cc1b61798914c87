"""Sign-up, log-in, log-out, own profile, and the API's error shape."""

import pytest
from rest_framework.authtoken.models import Token

from accounts.models import User
from conftest import token_client
from tests import factories

REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/token/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"


def signup(**overrides) -> dict:
    return {
        "email": "Ana.Lopez@Example.COM",
        "password": "tacos-at-midnight-42",
        "first_name": "Ana",
        "last_name": "López",
        "phone_number": "+15125550100",
        "dob": "1990-04-01",
        "primary_city": "Austin",
        **overrides,
    }


def test_register_creates_the_user_and_answers_a_working_token(api_client, db):
    response = api_client.post(REGISTER, signup(), format="json")

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get()
    assert user.email == "ana.lopez@example.com"
    assert user.check_password("tacos-at-midnight-42")
    assert body["token"] == Token.objects.get(user=user).key
    assert body["user"] == {
        "id": user.pk,
        "email": "ana.lopez@example.com",
        "first_name": "Ana",
        "last_name": "López",
        "phone_number": "+15125550100",
        "dob": "1990-04-01",
        "primary_city": "Austin",
        "date_joined": body["user"]["date_joined"],
    }
    me = api_client.get(ME, HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.json()["email"] == "ana.lopez@example.com"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"password": "short"}, "password", "This password is too short. It must contain at least 8 characters."),
        ({"password": "password123"}, "password", "This password is too common."),
        ({"password": "12345678901"}, "password", "This password is entirely numeric."),
        ({"phone_number": "512-555-0100"}, "phone_number", "Enter a phone number in E.164 format, e.g. +14155550123."),
        ({"first_name": ""}, "first_name", "This field may not be blank."),
        ({"dob": "01/04/1990"}, "dob", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    ],
)
def test_register_when_a_field_is_invalid_answers_400_with_its_message(api_client, db, overrides, field, message):
    response = api_client.post(REGISTER, signup(**overrides), format="json")

    assert response.status_code == 400
    assert message in response.json()["errors"][field]
    assert User.objects.count() == 0


def test_register_password_too_similar_to_the_email_is_refused(api_client, db):
    response = api_client.post(REGISTER, signup(password="ana.lopez"), format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["password"][0].startswith("The password is too similar to the")


def test_register_when_email_differs_only_in_case_is_refused(api_client, db):
    factories.UserFactory(email="ana.lopez@example.com")

    response = api_client.post(REGISTER, signup(email="ANA.LOPEZ@example.com"), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"email": ["A user with this email address already exists."]}


def test_register_when_phone_is_taken_is_refused(api_client, db):
    factories.UserFactory(phone_number="+15125550100")

    response = api_client.post(REGISTER, signup(), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"phone_number": ["A user with this phone number already exists."]}


def test_register_with_every_field_missing_lists_each(api_client, db):
    response = api_client.post(REGISTER, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "password", "first_name", "last_name", "phone_number"}
    assert response.json()["detail"] == "Some fields are not valid."


def test_malformed_json_is_400_not_500(api_client, db):
    response = api_client.post(REGISTER, data='{"email": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert response.json()["errors"] == {}


def test_login_with_email_in_any_case_answers_the_token(api_client, consumer):
    response = api_client.post(LOGIN, {"email": "Consumer@Example.com", "password": factories.DEFAULT_PASSWORD})

    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=consumer).key
    assert response.json()["user"]["id"] == consumer.pk


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"email": "consumer@example.com", "password": "wrong"}, "non_field_errors", None),
        ({"email": "nobody@example.com", "password": "whatever"}, "non_field_errors", None),
        ({"password": "x"}, "email", "This field is required."),
        ({"email": "consumer@example.com"}, "password", "This field is required."),
    ],
)
def test_login_when_wrong_or_incomplete_answers_400(api_client, consumer, payload, field, message):
    response = api_client.post(LOGIN, payload)

    assert response.status_code == 400
    expected = message or "Unable to log in with the email and password given."
    assert response.json()["errors"] == {field: [expected]}


def test_login_of_an_inactive_user_is_refused(api_client, consumer):
    consumer.is_active = False
    consumer.save(update_fields=["is_active"])

    response = api_client.post(LOGIN, {"email": "consumer@example.com", "password": factories.DEFAULT_PASSWORD})

    assert response.status_code == 400


def test_login_is_throttled_with_retry_after(api_client, consumer):
    payload = {"email": "consumer@example.com", "password": "wrong"}
    statuses = [api_client.post(LOGIN, payload).status_code for _ in range(10)]

    response = api_client.post(LOGIN, payload)

    assert statuses == [400] * 10  # the "login" scope allows 10 a minute
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["detail"].startswith("Request was throttled.")
    assert response.json()["errors"] == {}


def test_register_is_throttled_with_retry_after(api_client, db):
    for i in range(10):
        api_client.post(REGISTER, {"email": f"x{i}@example.com"}, format="json")

    response = api_client.post(REGISTER, signup(), format="json")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_logout_revokes_the_token(consumer, consumer_client):
    response = consumer_client.post(LOGOUT)
    after = consumer_client.get(ME)

    assert response.status_code == 204
    assert not Token.objects.filter(user=consumer).exists()
    assert after.status_code == 401
    assert after.json() == {"detail": "Invalid token.", "errors": {}}


@pytest.mark.parametrize(("method", "url"), [("post", LOGOUT), ("get", ME), ("patch", ME)])
def test_account_endpoints_anonymous_are_401(api_client, db, method, url):
    response = getattr(api_client, method)(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_me_patch_changes_the_profile(consumer, consumer_client):
    response = consumer_client.patch(
        ME, {"first_name": "Zoe", "dob": "1985-12-31", "phone_number": "+4915112345678", "email": "x@y.z"}
    )

    assert response.status_code == 200
    consumer.refresh_from_db()
    assert (consumer.first_name, str(consumer.date_of_birth), consumer.phone_number) == (
        "Zoe",
        "1985-12-31",
        "+4915112345678",
    )
    assert consumer.email == "consumer@example.com"  # not changeable here
    assert response.json()["first_name"] == "Zoe"


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"phone_number": "12345"}, "phone_number", "Enter a phone number in E.164 format, e.g. +14155550123."),
        ({"dob": "yesterday"}, "dob", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
        ({"first_name": "x" * 151}, "first_name", "Ensure this field has no more than 150 characters."),
    ],
)
def test_me_patch_when_invalid_answers_400(consumer_client, payload, field, message):
    response = consumer_client.patch(ME, payload)

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}


def test_me_patch_with_another_users_phone_is_refused(consumer, consumer_client):
    factories.UserFactory(phone_number="+15125559999")

    response = consumer_client.patch(ME, {"phone_number": "+15125559999"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"phone_number": ["A user with this phone number already exists."]}


def test_me_shows_only_my_profile(consumer, owner_a):
    response = token_client(owner_a).get(ME)

    assert response.json()["email"] == "owner-a@example.com"


def test_every_endpoint_is_rate_limited_per_user_and_per_anonymous_client(consumer_client, api_client, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**SimpleRateThrottle.THROTTLE_RATES, "user": "2/min", "anon": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)

    signed_in = [consumer_client.get(ME).status_code for _ in range(3)]
    anonymous = [api_client.get("/api/v1/categories/").status_code for _ in range(3)]
    throttled = api_client.get("/api/v1/categories/")

    assert signed_in == [200, 200, 429]
    assert anonymous == [200, 200, 429]
    assert 1 <= int(throttled["Retry-After"]) <= 60
    # another signed-in user has their own allowance
    assert token_client(factories.UserFactory()).get(ME).status_code == 200
