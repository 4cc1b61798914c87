"""Every model registered in the admin: its pages answer, and its changelist has no N+1 queries."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin_rows import BUILDERS, build, object_id_in_admin

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
BY_MODEL = pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_registered_model_has_a_row_builder():
    assert {model for model, _ in REGISTERED} <= set(BUILDERS)


@pytest.fixture
def staff_client(client, staff_user, clean_s3):
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
@BY_MODEL
def test_admin_pages_when_staff_answer(staff_client, model, model_admin, rf, staff_user):
    # given one complete row
    obj = build(model)
    request = rf.get("/")
    request.user = staff_user

    # when / then: the list, the add page (or a refusal for read-only tables) and the change page
    assert staff_client.get(_url(model, "changelist")).status_code == 200
    expected_add = 200 if model_admin.has_add_permission(request) else 403
    assert staff_client.get(_url(model, "add")).status_code == expected_add
    assert staff_client.get(_url(model, "change", object_id_in_admin(obj))).status_code == 200


@pytest.mark.django_db
@BY_MODEL
def test_admin_changelist_query_count_when_more_rows_stays_the_same(staff_client, model, model_admin):
    # given one row, then five rows, each with its own related rows
    build(model, 0)
    url = _url(model, "changelist")
    staff_client.get(url)  # warm caches (content types, sessions) outside the measurement
    with CaptureQueriesContext(connection) as one_row:
        assert staff_client.get(url).status_code == 200
    for i in range(1, 5):
        build(model, i)

    # when
    with CaptureQueriesContext(connection) as five_rows:
        response = staff_client.get(url)

    # then
    assert response.status_code == 200
    assert len(five_rows) == len(one_row), "\n".join(q["sql"] for q in five_rows.captured_queries)
