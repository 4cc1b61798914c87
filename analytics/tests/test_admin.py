"""Analytics in the admin: viewable, never writable, and the raw-event list stays cheap."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.models import UserInteraction
from tests.factories import DailyPlaceStatsFactory, UserInteractionFactory


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_interaction_changelist_when_table_is_huge_uses_the_planner_estimate(staff_client, monkeypatch):
    # given five events, statistics gathered, and a threshold that makes the table count as huge
    for _ in range(5):
        UserInteractionFactory()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE analytics_userinteraction")
    monkeypatch.setattr("analytics.admin.EXACT_COUNT_LIMIT", 0)

    # when
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(reverse("admin:analytics_userinteraction_changelist"))

    # then: no COUNT(*) over the raw events, newest first by primary key
    assert response.status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries if "analytics_userinteraction" in q["sql"]]
    assert not [sql for sql in sqls if "COUNT(" in sql.upper()]
    assert any('ORDER BY "analytics_userinteraction"."id" DESC' in sql for sql in sqls)
    assert "5 user interactions" in response.text


@pytest.mark.django_db
def test_interaction_changelist_when_filtered_counts_exactly(staff_client, monkeypatch):
    # given
    UserInteractionFactory(type="CLICK")
    UserInteractionFactory(type="VIEW")
    monkeypatch.setattr("analytics.admin.EXACT_COUNT_LIMIT", 0)

    # when
    response = staff_client.get(reverse("admin:analytics_userinteraction_changelist"), {"type__exact": "CLICK"})

    # then
    assert response.status_code == 200
    assert "1 user interaction" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "name"), [(UserInteractionFactory, "userinteraction"), (DailyPlaceStatsFactory, "dailyplacestats")]
)
def test_analytics_rows_when_staff_tries_to_change_or_delete_is_forbidden(staff_client, factory, name):
    # given
    row = factory()

    # when
    change = staff_client.post(reverse(f"admin:analytics_{name}_change", args=[row.pk]), {})
    delete = staff_client.post(reverse(f"admin:analytics_{name}_delete", args=[row.pk]), {"post": "yes"})
    add = staff_client.post(reverse(f"admin:analytics_{name}_add"), {})

    # then
    assert (change.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    assert type(row).objects.filter(pk=row.pk).exists()
    assert UserInteraction.objects.count() == (1 if name == "userinteraction" else 0)


@pytest.mark.django_db
def test_interaction_search_when_client_id_given_finds_exactly_that_event(staff_client):
    # given
    wanted, _other = UserInteractionFactory(), UserInteractionFactory()

    # when
    response = staff_client.get(reverse("admin:analytics_userinteraction_changelist"), {"q": str(wanted.client_id)})

    # then
    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["tacos", "12", "someone@example.com", "0f6a1d2e-5a8c-4f0e-9a64-1b2c3d4e5f60"])
@pytest.mark.parametrize("name", ["userinteraction", "dailyplacestats"])
def test_analytics_search_when_any_term_answers_the_list(staff_client, name, term):
    # given
    UserInteractionFactory()

    # when
    response = staff_client.get(reverse(f"admin:analytics_{name}_changelist"), {"q": term})

    # then
    assert response.status_code == 200
