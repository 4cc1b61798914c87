"""The weekly summary email: last week's figures per place to each owner who wants it, once per week
even when the beat job runs twice; a signed one-click link and the portal's toggle turn it off."""

import re
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from analytics import tasks
from analytics.summaries import last_week_start, weekly_summaries_send
from tests import factories
from vendors.models import VendorMember, WeeklySummarySent

MONDAY = date(2026, 12, 7)
WEEK = date(2026, 11, 30)


@pytest.fixture
def week(vendor_a, owner_a, manager_a, place_a, place_b):
    place_a.rating_avg, place_a.rating_count = Decimal("4.50"), 12
    place_a.save(update_fields=["rating_avg", "rating_count"])
    for offset, (views, clicks, ratings) in enumerate([(10, 3, 1), (20, 5, 0), (7, 1, 2)]):
        factories.DailyPlaceStatsFactory(
            place=place_a, date=WEEK + timedelta(days=offset * 3), views=views, clicks=clicks, ratings=ratings
        )
    # outside the week, and another vendor's place: neither is counted
    factories.DailyPlaceStatsFactory(place=place_a, date=WEEK - timedelta(days=1), views=1000, clicks=0, ratings=0)
    factories.DailyPlaceStatsFactory(place=place_b, date=WEEK, views=500, clicks=0, ratings=0)
    return place_a


def test_last_week_is_the_monday_to_sunday_before():
    assert [last_week_start(MONDAY), last_week_start(MONDAY + timedelta(days=6))] == [WEEK, WEEK]


@pytest.mark.django_db
def test_owner_gets_the_weeks_figures_once_even_when_run_twice(week, owner_a):
    # when the Monday job runs twice
    assert (weekly_summaries_send(today=MONDAY), weekly_summaries_send(today=MONDAY)) == (1, 0)

    # then one email, to the owner only (not the manager), with the week's sums and the average
    [message] = mail.outbox
    assert message.to == ["owner-a@example.com"]
    assert "Views: 37 " in message.body and "Clicks: 9 " in message.body and "Ratings: 3 new" in message.body
    assert "Average rating: 4.50 ★ from 12 ratings" in message.body
    assert "1000" not in message.body and "500" not in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://localhost:8000/portal/email-settings/")
    assert WeeklySummarySent.objects.filter(week_start=WEEK).count() == 1


@pytest.mark.django_db
def test_the_task_sends_once_per_week(week):
    with mock.patch("analytics.tasks.timezone.localdate", return_value=MONDAY):
        assert (tasks.send_weekly_summaries.delay().get(), tasks.send_weekly_summaries.delay().get()) == (1, 0)
    with mock.patch("analytics.tasks.timezone.localdate", return_value=MONDAY + timedelta(days=7)):
        assert tasks.send_weekly_summaries.delay().get() == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_one_click_link_turns_it_off_and_no_more_summaries_go(client, week, owner_a):
    weekly_summaries_send(today=MONDAY)
    link = re.search(r"http://localhost:8000(/portal/email-settings/unsubscribe/\S+/)", mail.outbox[0].body).group(1)

    # when the owner follows the link (not logged in), by a mail client's one-click POST too
    response = client.get(link)
    again = client.post(link)

    # then the summary is off and next week's job sends nothing
    assert (response.status_code, again.status_code) == (200, 200)
    assert b"You will not get the weekly summary" in response.content
    assert VendorMember.objects.get(user=owner_a).weekly_summary is False
    assert weekly_summaries_send(today=MONDAY + timedelta(days=7)) == 0


@pytest.mark.django_db
def test_a_tampered_link_is_a_clear_400(client, week, owner_a):
    response = client.get(reverse("portal:summary_unsubscribe", kwargs={"token": "eyJtZW1iZXJzaGlwIjoxfQ:abc:def"}))
    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert VendorMember.objects.get(user=owner_a).weekly_summary is True


@pytest.mark.django_db
def test_the_portal_toggle_turns_it_off_and_on(client, week, owner_a):
    client.force_login(owner_a)
    url = reverse("portal:email_settings")
    assert client.get(url).context["form"].initial == {"weekly_summary": True}

    assert client.post(url, {}).status_code == 302
    assert VendorMember.objects.get(user=owner_a).weekly_summary is False
    assert weekly_summaries_send(today=MONDAY) == 0

    assert client.post(url, {"weekly_summary": "on"}).status_code == 302
    assert VendorMember.objects.get(user=owner_a).weekly_summary is True
    assert weekly_summaries_send(today=MONDAY) == 1


@pytest.mark.django_db
def test_the_command_twin_sends_once(week):
    from django.core.management import call_command

    call_command("send_weekly_summaries", "--date", MONDAY.isoformat())
    call_command("send_weekly_summaries", "--date", MONDAY.isoformat())
    assert len(mail.outbox) == 1
