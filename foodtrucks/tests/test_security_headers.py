"""Security headers on every answer, production settings that pass `check --deploy`, and the API
docs page working under the Content-Security-Policy (no 'unsafe-inline')."""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: https://tile.openstreetmap.org",  # the default map tiles (MAP_TILE_URL)
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "foodtrucks.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/foodtrucks_unused",
}


def _run(code_or_args: list[str], env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, *code_or_args],
        env={**clean, **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _directives(header: str) -> dict[str, str]:
    """The policy as {directive: sources}; django-csp does not keep the directives' order."""
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def _production_settings(names: list[str], **env) -> dict:
    code = (
        "import json, django; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))"
    )
    result = _run(["-c", code], {**PRODUCTION_ENV, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_any_page_when_served_carries_the_security_headers(client, db):
    # when any page is served
    response = client.get("/healthz")
    # then it carries the strict policy and the browser hardening headers
    assert _directives(response["Content-Security-Policy"]) == BASE_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_admin_login_when_served_has_no_nonce_in_policy(client, db):
    # the nonce appears only where a template asked for it
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert _directives(response["Content-Security-Policy"]) == BASE_POLICY


def test_api_docs_when_served_use_the_nonce_on_inline_tags_only(client, db):
    # when the Swagger UI page is served
    response = client.get("/api/v1/docs/")
    # then its one inline style and one inline script carry the request's nonce, which the policy names
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    nonce = re.fullmatch(r"'self' 'nonce-([^']+)'", policy["script-src"]).group(1)
    assert policy == {**BASE_POLICY, "script-src": f"'self' 'nonce-{nonce}'", "style-src": f"'self' 'nonce-{nonce}'"}
    html = response.content.decode()
    assert html.count(f'nonce="{nonce}"') == 2
    inline_tags = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_tags == [("style", f' nonce="{nonce}"'), ("script", f' nonce="{nonce}"')]
    # and the assets come from our own static files, not a CDN
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.replace(nonce, "").lower()  # (a random nonce may spell it)


def test_api_docs_when_loaded_twice_get_a_fresh_nonce(client, db):
    first = client.get("/api/v1/docs/")["Content-Security-Policy"]
    second = client.get("/api/v1/docs/")["Content-Security-Policy"]
    assert first != second


def test_hsts_when_production_values_and_https_is_sent(client, db, settings):
    # given the production HSTS values
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    # when a page is served over HTTPS
    response = client.get("/healthz", secure=True)
    # then it tells the browser to stay on HTTPS
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_production_settings_when_secrets_given_pass_check_deploy_without_warnings():
    # when `check --deploy` runs on the production settings with their secrets
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    # then there is nothing to fix
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_when_debug_asked_for_refuse_to_start():
    result = _run(["manage.py", "check"], {**PRODUCTION_ENV, "DJANGO_DEBUG": "1"})
    assert result.returncode == 1
    assert "ImproperlyConfigured: DJANGO_DEBUG must not be set with the production settings." in result.stderr


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_settings_when_a_secret_is_missing_refuse_to_start(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _run(["manage.py", "check"], env)
    assert result.returncode == 1
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_settings_when_loaded_harden_cookies_and_transport():
    values = _production_settings(
        [
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SESSION_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "CSRF_COOKIE_SECURE",
            "X_FRAME_OPTIONS",
            "SECURE_CONTENT_TYPE_NOSNIFF",
            "SECURE_REFERRER_POLICY",
            "SECURE_REDIRECT_EXEMPT",
        ]
    )
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_REDIRECT_EXEMPT": ["^healthz$", "^readyz$", "^healthz/dependencies$"],
    }


def test_csp_img_src_when_s3_bucket_configured_allows_the_bucket_hosts():
    values = _production_settings(
        ["CONTENT_SECURITY_POLICY"],
        AWS_STORAGE_BUCKET_NAME="ft-public",
        AWS_PRIVATE_BUCKET_NAME="ft-private",
        AWS_S3_REGION_NAME="eu-west-1",
    )
    assert values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == [
        "'self'",
        "data:",
        "https://ft-public.s3.amazonaws.com",
        "https://ft-public.s3.eu-west-1.amazonaws.com",
        "https://ft-private.s3.amazonaws.com",
        "https://ft-private.s3.eu-west-1.amazonaws.com",
        "https://tile.openstreetmap.org",
    ]


def test_csp_img_src_when_s3_compatible_endpoint_allows_its_origin():
    values = _production_settings(
        ["CONTENT_SECURITY_POLICY"],
        AWS_STORAGE_BUCKET_NAME="ft-public",
        AWS_S3_ENDPOINT_URL="https://storage.example.net:9000/some/path",
    )
    assert values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == [
        "'self'",
        "data:",
        "https://storage.example.net:9000",
        "https://tile.openstreetmap.org",
    ]


def test_csp_img_src_when_map_tile_url_set_allows_its_origin_only():
    values = _production_settings(
        ["CONTENT_SECURITY_POLICY", "MAP_TILE_URL"], MAP_TILE_URL="https://tiles.example.com:8443/osm/{z}/{x}/{y}.png"
    )
    assert values["MAP_TILE_URL"] == "https://tiles.example.com:8443/osm/{z}/{x}/{y}.png"
    assert values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == [
        "'self'",
        "data:",
        "https://tiles.example.com:8443",
    ]


@pytest.mark.browser
def test_api_docs_in_a_browser_render_with_no_policy_violation(live_server, transactional_db):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page()
            problems = []
            page.on("console", lambda message: message.type == "error" and problems.append(message.text))
            page.add_init_script(
                "window.__csp = []; document.addEventListener('securitypolicyviolation',"
                " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            # when the docs page is opened under the site's policy
            page.goto(f"{live_server.url}/api/v1/docs/")
            # then Swagger UI renders the schema's title
            page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
            assert "Food Trucks API" in page.inner_text(".swagger-ui .info .title")
            # and nothing was blocked
            assert page.evaluate("window.__csp") == []
            assert problems == []
        finally:
            browser.close()


@pytest.mark.browser
def test_admin_in_a_browser_signs_in_with_no_policy_violation(live_server, transactional_db):
    from playwright.sync_api import sync_playwright

    from tests.factories import DEFAULT_PASSWORD, StaffUserFactory

    staff = StaffUserFactory(email="csp-admin@example.com")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.add_init_script(
                "window.__csp = []; document.addEventListener('securitypolicyviolation',"
                " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            # when staff sign in to the admin under the site's policy
            page.goto(f"{live_server.url}/admin/login/?next=/admin/password_change/")
            assert page.evaluate("window.__csp") == []
            page.fill("#id_username", staff.email)
            page.fill("#id_password", DEFAULT_PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_selector("#id_old_password")
            # then the admin's own scripts and styles load and nothing was blocked
            assert page.evaluate("window.__csp") == []
            assert page.evaluate("getComputedStyle(document.querySelector('#header')).display") == "flex"
        finally:
            browser.close()


def test_https_redirect_when_on_spares_the_probes(client, db, settings):
    # given production's redirect and its exemptions
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = _production_settings(["SECURE_REDIRECT_EXEMPT"])["SECURE_REDIRECT_EXEMPT"]
    # then plain-HTTP probes are answered, everything else is sent to HTTPS
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz/dependencies").status_code == 200
    response = client.get("/admin/login/")
    assert (response.status_code, response["Location"]) == (301, "https://testserver/admin/login/")


def test_policy_when_the_setting_changes_is_built_again(client, db, settings):
    # given the policy served once (kept per process)
    assert _directives(client.get("/healthz")["Content-Security-Policy"]) == BASE_POLICY
    # when a deployment changes the setting
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    # then the next answer carries the new policy, not the kept one
    assert client.get("/healthz")["Content-Security-Policy"] == "default-src 'none'"


def test_report_only_policy_when_configured_is_sent_beside_the_policy(client, db, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-reports/"},
        "EXCLUDE_URL_PREFIXES": ["/admin/"],
    }
    response = client.get("/api/v1/categories/")
    assert _directives(response["Content-Security-Policy-Report-Only"]) == {
        "default-src": "'self'",
        "report-uri": "/csp-reports/",
    }
    assert _directives(response["Content-Security-Policy"]) == BASE_POLICY
    # its excluded prefixes are honoured as django-csp honours them
    assert "Content-Security-Policy-Report-Only" not in client.get("/admin/login/")


def test_policy_when_a_view_changes_it_is_that_views_own(rf, db):
    from csp.decorators import csp_update
    from django.http import HttpResponse

    from foodtrucks.csp_middleware import CSPMiddleware

    @csp_update({"img-src": "https://photos.example"})
    def view(request):
        return HttpResponse("ok")

    middleware = CSPMiddleware(view)
    request = rf.get("/somewhere/")
    middleware.process_request(request)
    response = middleware.process_response(request, view(request))
    assert _directives(response["Content-Security-Policy"])["img-src"] == (
        BASE_POLICY["img-src"] + " https://photos.example"
    )
    # and the next plain answer is not changed by it
    plain = rf.get("/elsewhere/")
    middleware.process_request(plain)
    assert _directives(middleware.process_response(plain, HttpResponse("ok"))["Content-Security-Policy"]) == (
        BASE_POLICY
    )


def test_nonce_when_asked_after_the_header_was_written_is_an_error(rf, db):
    from csp.exceptions import CSPNonceError
    from django.http import HttpResponse

    from foodtrucks.csp_middleware import CSPMiddleware

    middleware = CSPMiddleware(lambda request: HttpResponse("ok"))
    request = rf.get("/")
    middleware.process_request(request)
    middleware.process_response(request, HttpResponse("ok"))
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
