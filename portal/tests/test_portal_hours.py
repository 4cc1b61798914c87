"""The week editor: seven days on one page, several slots a day, "(next day)", one word for removing."""

import re
from datetime import time

import pytest
from django.urls import reverse

from tests import factories
from trucks.models import OpeningHours, Weekday

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


def _days(html: str) -> dict[str, str]:
    """Each day's fieldset of the page, by its legend."""
    sections = html.split('<fieldset class="day"')[1:]
    return {
        re.search(r'<legend class="day__name">(\w+)</legend>', s).group(1): s.split("</fieldset>")[0] for s in sections
    }


def _management(total: int, initial: int) -> dict[str, str]:
    return {
        "hours-TOTAL_FORMS": str(total),
        "hours-INITIAL_FORMS": str(initial),
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }


def test_the_page_shows_all_seven_days_with_their_slots_and_an_empty_slot_each(owner_client, place_a):
    factories.OpeningHoursFactory(place=place_a, weekday=Weekday.MONDAY, opens=time(11), closes=time(15))
    factories.OpeningHoursFactory(place=place_a, weekday=Weekday.FRIDAY, opens=time(11), closes=time(15))
    factories.OpeningHoursFactory(place=place_a, weekday=Weekday.FRIDAY, opens=time(20), closes=time(2))

    response = owner_client.get(reverse("portal:place_hours", kwargs={"pk": place_a.pk}))

    assert response.status_code == 200
    days = _days(response.content.decode())
    assert list(days) == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    slots = {name: html.count("data-slot>") for name, html in days.items()}
    assert slots == {"Monday": 2, "Tuesday": 1, "Wednesday": 1, "Thursday": 1, "Friday": 3, "Saturday": 1, "Sunday": 1}
    # only the overnight slot says "(next day)" (the others carry the hint hidden, for the script)
    assert re.findall(r"data-next-day( hidden)?>", days["Friday"]) == [" hidden", "", " hidden"]
    assert re.findall(r"data-next-day( hidden)?>", days["Monday"]) == [" hidden", " hidden"]


def test_removing_is_called_remove_in_the_help_and_on_every_slot(owner_client, place_a):
    factories.OpeningHoursFactory(place=place_a, weekday=Weekday.MONDAY)

    html = owner_client.get(reverse("portal:place_hours", kwargs={"pk": place_a.pk})).content.decode()

    week = html.split('<section class="card">')[1]  # the week's section, not the exceptions below it
    assert "tick “Remove” to take a slot out" in week
    assert week.count("> Remove</label>") == 9  # the saved slot, the seven empty ones, the new slot template
    assert "Delete" not in week


def test_several_slots_a_day_are_saved_in_one_post_and_untouched_empty_slots_are_ignored(owner_client, place_a):
    old = factories.OpeningHoursFactory(place=place_a, weekday=Weekday.MONDAY, opens=time(7), closes=time(10))
    data = _management(total=10, initial=1)
    # the saved slot is removed; Monday gets two new slots; Tuesday one overnight; the other days'
    # empty slots come back as the page sent them (their day only); one new slot is ticked "Remove"
    data.update({"hours-0-id": str(old.pk), "hours-0-place": str(place_a.pk), "hours-0-weekday": "0"})
    data.update({"hours-0-opens": "07:00", "hours-0-closes": "10:00", "hours-0-DELETE": "on"})
    data.update({"hours-1-weekday": "0", "hours-1-opens": "11:00", "hours-1-closes": "15:00"})
    data.update({"hours-2-weekday": "1", "hours-2-opens": "20:00", "hours-2-closes": "02:00"})
    for index, day in zip(range(3, 8), range(2, 7), strict=True):
        data[f"hours-{index}-weekday"] = str(day)
    data.update({"hours-8-weekday": "0", "hours-8-opens": "17:00", "hours-8-closes": "21:00"})
    data.update({"hours-9-weekday": "3", "hours-9-opens": "09:00", "hours-9-closes": "", "hours-9-DELETE": "on"})

    response = owner_client.post(reverse("portal:place_hours", kwargs={"pk": place_a.pk}), data)

    assert response.status_code == 302
    saved = OpeningHours.objects.filter(place=place_a).order_by("weekday", "opens")
    assert list(saved.values_list("weekday", "opens", "closes")) == [
        (0, time(11), time(15)),
        (0, time(17), time(21)),
        (1, time(20), time(2)),
    ]


def test_a_refused_week_keeps_each_slot_under_its_day_with_the_message_by_the_field(owner_client, place_a):
    data = _management(total=2, initial=0)
    data.update({"hours-0-weekday": "2", "hours-0-opens": "11:00", "hours-0-closes": "15:00"})
    data.update({"hours-1-weekday": "2", "hours-1-opens": "14:00", "hours-1-closes": ""})

    response = owner_client.post(reverse("portal:place_hours", kwargs={"pk": place_a.pk}), data)

    assert response.status_code == 400
    days = _days(response.content.decode())
    assert "This field is required." in days["Wednesday"]
    assert 'value="14:00"' in days["Wednesday"]
    assert "This field is required." not in days["Monday"]
    assert not OpeningHours.objects.filter(place=place_a).exists()
