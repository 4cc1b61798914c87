"""Brute-force protection (django-axes) on the admin login, and the contract the API login relies on."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tests.factories import DEFAULT_PASSWORD

ADMIN_LOGIN = "/admin/login/?next=/admin/"
WRONG = "not-the-password"


class _TokenLoginShapedView(APIView):
    """Shaped like the API's token login: email + password, authenticate(request=request._request, ...).

    Django's HttpRequest, not DRF's Request: axes flags the lockout on the object it is given and
    AxesMiddleware looks for the flag on the HttpRequest (with DRF's Request the login is still
    refused, but as a 400 instead of the 429).
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def post(self, request):
        user = authenticate(
            request=request._request, username=request.data.get("email"), password=request.data.get("password")
        )
        if user is None:
            return Response({"non_field_errors": ["Unable to log in with provided credentials."]}, status=400)
        return Response({"token": "issued"})


urlpatterns = [path("api/v1/test-login/", _TokenLoginShapedView.as_view())]


def _admin_login(client, email, password, ip="10.0.0.1"):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _fail(client, email, times, ip="10.0.0.1"):
    """Wrong passwords; the fifth one in a row is itself answered with the lockout."""
    codes = [_admin_login(client, email, WRONG, ip).status_code for _ in range(times)]
    assert codes == [200] * min(times, 4) + [429] * max(times - 4, 0)


def test_admin_login_after_five_failures_is_locked_even_with_the_right_password(client, axes_enabled, staff_user):
    # given five wrong passwords for the staff account from one address
    _fail(client, staff_user.email, 5)
    # when the right password is sent
    response = _admin_login(client, staff_user.email, DEFAULT_PASSWORD)
    # then the lockout page answers and nobody is logged in
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().failures_since_start == 6


def test_admin_login_after_four_failures_still_logs_in_and_resets_the_count(client, axes_enabled, staff_user):
    _fail(client, staff_user.email, 4)
    response = _admin_login(client, staff_user.email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert AccessAttempt.objects.count() == 0


def test_admin_login_lockout_when_email_case_differs_shares_one_counter(client, axes_enabled, staff_user):
    # given failures spread over spellings of the same email
    for spelling in [
        "ADMIN@example.com",
        "Admin@Example.com",
        "admin@example.com",
        "admin@EXAMPLE.com",
        "aDmin@example.com",
    ]:
        _admin_login(client, spelling, WRONG)
    # then the account is locked for all of them
    assert _admin_login(client, staff_user.email, DEFAULT_PASSWORD).status_code == 429
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["admin@example.com"]


def test_admin_login_lockout_when_another_address_tries_is_not_locked(client, axes_enabled, staff_user):
    # given an attacker locked out from one address
    _fail(client, staff_user.email, 5, ip="203.0.113.9")
    # when the owner logs in from elsewhere
    response = _admin_login(client, staff_user.email, DEFAULT_PASSWORD, ip="198.51.100.7")
    # then they get in: lockout is by username and address together
    assert response.status_code == 302


def test_admin_login_lockout_when_reset_by_command_logs_in_again(client, axes_enabled, staff_user):
    _fail(client, staff_user.email, 5)
    assert _admin_login(client, staff_user.email, DEFAULT_PASSWORD).status_code == 429
    # when an operator resets the lockouts
    call_command("axes_reset")
    # then the right password works again
    assert _admin_login(client, staff_user.email, DEFAULT_PASSWORD).status_code == 302


def test_admin_login_behind_trusted_proxy_locks_by_the_forwarded_client(client, axes_enabled, staff_user, settings):
    # given one load balancer in front of the app: REMOTE_ADDR is always the balancer
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            ADMIN_LOGIN,
            {"username": staff_user.email, "password": WRONG},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.9",
        )
    # then the client seen by the balancer is locked, another client through the same balancer is not
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    other = client.post(
        ADMIN_LOGIN,
        {"username": staff_user.email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert other.status_code == 302


@pytest.mark.urls(__name__)
def test_api_shaped_login_after_five_failures_answers_json_429(api_client, axes_enabled, consumer):
    # given five wrong passwords through a JSON login that passes Django's request to authenticate()
    codes = [
        api_client.post("/api/v1/test-login/", {"email": consumer.email, "password": WRONG}, format="json").status_code
        for _ in range(5)
    ]
    assert codes == [400, 400, 400, 400, 429]
    # when the right password is sent
    response = api_client.post(
        "/api/v1/test-login/", {"email": consumer.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    # then the API answers 429 in JSON with Retry-After
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed login attempts. Try again in 15 minutes.", "errors": {}}
    assert response["Retry-After"] == "900"


def test_client_login_when_axes_disabled_in_test_settings_still_works(client, staff_user):
    # Client.login() calls authenticate() without a request; axes is off in test settings for that.
    assert client.login(username=staff_user.email, password=DEFAULT_PASSWORD) is True
