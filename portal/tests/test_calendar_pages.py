"""The portal's calendar page: follow a calendar, preview it, import it, see a broken feed."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from trucks.models import CalendarSubscription, ScheduleException

FEED = (
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Vendor//EN\n"
    "BEGIN:VEVENT\nUID:market@vendor\nDTSTART;TZID=America/New_York:{day}T170000\n"
    "DTEND;TZID=America/New_York:{day}T210000\nSUMMARY:Night market\nLOCATION:Pier 4\nEND:VEVENT\n"
    "END:VCALENDAR\n"
)


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


def test_upload_shows_a_preview_then_import_makes_the_stop(owner_client, place_a):
    # given an uploaded .ics with one event three days from now
    day = timezone.now().astimezone(place_a.tzinfo).date() + timedelta(days=3)
    page = reverse("portal:place_calendar", kwargs={"pk": place_a.pk})
    upload = SimpleUploadedFile("cal.ics", FEED.format(day=f"{day:%Y%m%d}").encode(), content_type="text/calendar")

    # when saved, the page previews it and nothing is imported yet
    saved = owner_client.post(page, {"url": "", "ics_file": upload})
    preview = owner_client.get(page)
    assert saved.status_code == 302
    assert "Night market" in preview.content.decode() and "Pier 4" in preview.content.decode()
    assert not ScheduleException.objects.filter(place=place_a).exists()

    # and when imported, the event is a moved stop
    imported = owner_client.post(reverse("portal:place_calendar_sync", kwargs={"pk": place_a.pk}))
    assert imported.status_code == 302
    assert list(ScheduleException.objects.filter(place=place_a).values_list("date", "kind", "address")) == [
        (day, "moved", "Pier 4")
    ]


def test_a_broken_feed_is_shown_to_the_owner_with_when(owner_client, place_a, django_capture_on_commit_callbacks):
    # given an imported calendar whose file is now broken, synced on demand (in the background)
    synced = "2026-01-01T00:00:00Z"
    CalendarSubscription.objects.create(
        place=place_a, ics_text="not a calendar", imported_at=synced, last_synced_at=synced
    )
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("portal:place_calendar_sync", kwargs={"pk": place_a.pk}))

    page = owner_client.get(reverse("portal:place_calendar", kwargs={"pk": place_a.pk})).content.decode()

    assert "The last sync failed" in page
    assert "The file is not a readable iCalendar (.ics) calendar." in page


def test_both_or_neither_source_is_refused_by_the_field(owner_client, place_a):
    page = reverse("portal:place_calendar", kwargs={"pk": place_a.pk})

    response = owner_client.post(page, {"url": ""})

    assert response.status_code == 400
    assert "Give the address of your calendar or upload an .ics file" in response.content.decode()
