"""Bad input at the edges: body size caps (413), one error shape (JSON under /api/), request ids in logs."""

import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, JsonResponse
from django.urls import path

from foodtrucks.logging import RequestIdFilter
from foodtrucks.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the project's

logger = logging.getLogger("foodtrucks.tests.edges")


def _form_fields(request):
    return JsonResponse({"fields": len(request.POST), "files": len(request.FILES)})


def _boom(request):
    raise RuntimeError("unexpected")


def _logs(request):
    logger.warning("inside the request")
    return HttpResponse("logged")


urlpatterns = [
    path("api/v1/echo-form/", _form_fields),
    path("portal/echo-form/", _form_fields),
    path("api/v1/boom/", _boom),
    path("portal/boom/", _boom),
    path("api/v1/logs/", _logs),
]


@pytest.fixture
def small_limits(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.MULTIPART_MAX_BODY_BYTES = 5000


def test_api_json_body_over_one_megabyte_is_413_json(client, db):
    # given a JSON body one byte over the default 1 MiB cap
    body = json.dumps({"padding": "x" * (1024 * 1024 - 14)})
    assert len(body) == 1024 * 1024 + 1
    # when it is posted to the API
    response = client.post("/api/v1/events/", body, content_type="application/json")
    # then the API refuses it in JSON, before any view reads it
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: the limit is 1 MB.", "errors": {}}


def test_api_json_body_at_the_cap_passes_through(client, db, small_limits):
    body = json.dumps({"padding": "x" * 985})  # valid JSON: a body declared as JSON is parsed up front
    assert len(body) == 1000
    response = client.post("/api/v1/nowhere/", body, content_type="application/json")
    assert response.status_code == 404


def test_portal_form_body_over_the_cap_is_413_page(client, db, small_limits):
    response = client.post("/portal/echo-form/", "note=" + "x" * 1200, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Request body too large: the limit is 0.000953674 MB." in response.content.decode()


@pytest.mark.urls(__name__)
def test_multipart_file_above_the_form_cap_but_under_the_upload_cap_is_accepted(client, db, small_limits):
    # given a 4000-byte file: over the 1000-byte non-file cap, under the 5000-byte multipart cap
    upload = SimpleUploadedFile("permit.pdf", b"%PDF" + b"0" * 3996, content_type="application/pdf")
    # when it is uploaded
    response = client.post("/api/v1/echo-form/", {"kind": "health_permit", "file": upload})
    # then file parts do not count against DATA_UPLOAD_MAX_MEMORY_SIZE
    assert response.status_code == 200
    assert response.json() == {"fields": 1, "files": 1}


@pytest.mark.urls(__name__)
def test_multipart_body_over_the_upload_cap_is_413(client, db, small_limits):
    upload = SimpleUploadedFile("permit.pdf", b"%PDF" + b"0" * 6000, content_type="application/pdf")
    response = client.post("/api/v1/echo-form/", {"file": upload})
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: the limit is 0.00476837 MB.", "errors": {}}


@pytest.mark.urls(__name__)
def test_multipart_form_fields_over_the_form_cap_are_413_not_400(client, db, small_limits):
    # given non-file fields over the 1000-byte cap inside a multipart body under its 5000-byte cap
    response = client.post("/api/v1/echo-form/", {"a": "x" * 600, "b": "y" * 600})
    # then Django's RequestDataTooBig becomes a 413 too
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: the limit is 0.00476837 MB.", "errors": {}}


def test_api_unknown_path_is_json_404(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


def test_portal_unknown_path_is_a_small_404_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert "/static/errors/errors.css" in html


@pytest.mark.urls(__name__)
def test_api_unexpected_error_is_json_500_without_details(db):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/api/v1/boom/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error.", "errors": {}}


@pytest.mark.urls(__name__)
def test_portal_unexpected_error_is_a_500_page_without_details(db):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/portal/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html
    assert "unexpected" not in html


def test_request_id_when_none_sent_is_made_and_returned(client, db):
    response = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_request_id_when_sent_by_the_proxy_is_kept(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert response["X-Request-ID"] == "lb-7f3a.42"


@pytest.mark.parametrize("bad", ["has space", "x" * 129, 'quote"s', "new\nline"])
def test_request_id_when_malformed_is_replaced(client, db, bad):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.urls(__name__)
def test_request_id_when_logging_during_a_request_is_on_the_record(client, db):
    # given a handler with the request-id filter, as in LOGGING
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    try:
        response = client.get("/api/v1/logs/", HTTP_X_REQUEST_ID="req-123")
    finally:
        logger.removeHandler(handler)
    # then the record logged inside the request carries its id, and outside requests it is "-"
    assert response["X-Request-ID"] == "req-123"
    assert [(r.getMessage(), r.request_id) for r in records] == [("inside the request", "req-123")]
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "outside", None, None)
    RequestIdFilter().filter(outside)
    assert outside.request_id == "-"


def test_request_id_when_django_logs_the_response_status_is_on_the_record(client, db):
    # Django logs "Not Found: ..." after the middleware chain returned; the id must still be there
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.addFilter(RequestIdFilter())
    django_request = logging.getLogger("django.request")
    django_request.addHandler(handler)
    try:
        client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="req-404")
    finally:
        django_request.removeHandler(handler)
    assert [(r.getMessage(), r.request_id) for r in records] == [("Not Found: /api/v1/no-such-thing/", "req-404")]


def test_production_logs_when_written_are_one_json_object_per_line():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60 + "yz0123456789",
        "DJANGO_ALLOWED_HOSTS": "foodtrucks.example.com",
        # Production refuses to start without a database URL; nothing is queried here.
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/foodtrucks",
    }
    code = (
        "import django, logging; django.setup(); "
        "from foodtrucks.logging import request_id_var; request_id_var.set('abc123'); "
        "logging.getLogger('foodtrucks.ops').warning('cache unavailable for %ss', 5)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [json.loads(line) for line in result.stderr.strip().splitlines()]
    ours = [line for line in lines if line["logger"] == "foodtrucks.ops"]
    assert len(ours) == 1
    assert {k: v for k, v in ours[0].items() if k != "time"} == {
        "level": "WARNING",
        "logger": "foodtrucks.ops",
        "message": "cache unavailable for 5s",
        "request_id": "abc123",
    }
