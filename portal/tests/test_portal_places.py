"""Portal: places, weekly hours, exceptions, photos and the check-in."""

import io
from datetime import time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests import factories
from trucks.models import LocationSource, OpeningHours, Photo, Place, ScheduleException


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), (0, 128, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


PLACE_FORM = {
    "kind": "truck",
    "name": "Green Machine",
    "description": "Salads on wheels",
    "time_zone": "America/Denver",
    "address": "",
    "city": "Denver",
    "state": "CO",
    "lat": "39.7392",
    "lng": "-104.9903",
}


@pytest.mark.django_db
def test_owner_creates_a_truck_with_categories(owner_client, vendor_a):
    category = factories.CategoryFactory(name="Salads", slug="salads")

    response = owner_client.post(reverse("portal:place_create"), {**PLACE_FORM, "categories": [category.pk]})

    place = Place.objects.get(vendor=vendor_a, name="Green Machine")
    assert response["Location"] == reverse("portal:place_hours", kwargs={"pk": place.pk})
    assert (place.kind, place.time_zone, place.city, place.lat, place.lng) == (
        "truck",
        "America/Denver",
        "Denver",
        39.7392,
        -104.9903,
    )
    assert list(place.categories.values_list("slug", flat=True)) == ["salads"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Select a valid choice."),
        ({"lat": "91"}, "lat", "Ensure this value is less than or equal to 90."),
        ({"lng": ""}, "lng", "Give both latitude and longitude, or neither."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_place_form_shows_the_error_by_the_field(owner_client, vendor_a, changes, field, message):
    response = owner_client.post(reverse("portal:place_create"), {**PLACE_FORM, **changes})

    assert response.status_code == 400
    assert response.context["form"].errors[field][0].startswith(message)
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Place.objects.filter(vendor=vendor_a).exists()


@pytest.mark.django_db
def test_owner_edits_a_place(owner_client, place_a):
    response = owner_client.post(
        reverse("portal:place_edit", kwargs={"pk": place_a.pk}), {**PLACE_FORM, "name": "Taco Truck Renamed"}
    )

    assert response.status_code == 302
    place_a.refresh_from_db()
    assert (place_a.name, place_a.city) == ("Taco Truck Renamed", "Denver")


@pytest.mark.django_db
def test_owner_deletes_a_place(owner_client, place_a):
    response = owner_client.post(reverse("portal:place_delete", kwargs={"pk": place_a.pk}), follow=True)

    assert not Place.objects.filter(pk=place_a.pk).exists()
    assert "Taco Truck A was deleted." in response.content.decode()


def _hours_payload(rows, initial=0):
    data = {
        "hours-TOTAL_FORMS": str(len(rows)),
        "hours-INITIAL_FORMS": str(initial),
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"hours-{i}-{key}"] = value
    return data


@pytest.mark.django_db
def test_weekly_hours_are_saved_as_one_form_including_past_midnight(owner_client, place_a):
    payload = _hours_payload(
        [
            {"weekday": "4", "opens": "11:00", "closes": "15:00"},
            {"weekday": "4", "opens": "20:00", "closes": "02:00", "address": "Main St", "lat": "30.1", "lng": "-97.1"},
            {"weekday": "", "opens": "", "closes": ""},
        ]
    )

    response = owner_client.post(reverse("portal:place_hours", kwargs={"pk": place_a.pk}), payload)

    assert response.status_code == 302
    rows = list(OpeningHours.objects.filter(place=place_a).values_list("weekday", "opens", "closes", "address"))
    assert rows == [(4, time(11), time(15), ""), (4, time(20), time(2), "Main St")]


@pytest.mark.django_db
def test_weekly_hours_replace_the_old_week(owner_client, place_a):
    old = factories.OpeningHoursFactory(place=place_a, weekday=0)
    payload = _hours_payload(
        [
            {
                "id": str(old.pk),
                "place": str(place_a.pk),
                "weekday": "0",
                "opens": "11:00",
                "closes": "15:00",
                "DELETE": "on",
            },
            {"weekday": "2", "opens": "09:00", "closes": "12:00"},
        ],
        initial=1,
    )

    response = owner_client.post(reverse("portal:place_hours", kwargs={"pk": place_a.pk}), payload)

    assert response.status_code == 302
    assert list(OpeningHours.objects.filter(place=place_a).values_list("weekday", "opens")) == [(2, time(9))]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rows", "index", "field", "message"),
    [
        (
            [
                {"weekday": "0", "opens": "11:00", "closes": "15:00"},
                {"weekday": "0", "opens": "14:00", "closes": "18:00"},
            ],
            1,
            "opens",
            "Overlaps Monday 11:00–15:00.",
        ),
        (
            [
                {"weekday": "6", "opens": "22:00", "closes": "03:00"},
                {"weekday": "0", "opens": "02:00", "closes": "05:00"},
            ],
            1,
            "opens",
            "Overlaps Sunday 22:00–03:00.",
        ),
        (
            [{"weekday": "1", "opens": "10:00", "closes": "10:00"}],
            0,
            "closes",
            "Closing time must differ from opening time.",
        ),
        (
            [
                {"weekday": "0", "opens": "11:00", "closes": "15:00"},
                {"weekday": "0", "opens": "11:00", "closes": "12:00"},
            ],
            1,
            "opens",
            "Overlaps Monday 11:00–15:00.",
        ),
    ],
    ids=["same-day-overlap", "sunday-night-into-monday", "opens-equals-closes", "same-start"],
)
def test_weekly_hours_refuse_bad_slots_with_a_field_message_and_keep_the_old_week(
    owner_client, place_a, rows, index, field, message
):
    factories.OpeningHoursFactory(place=place_a, weekday=3)

    response = owner_client.post(reverse("portal:place_hours", kwargs={"pk": place_a.pk}), _hours_payload(rows))

    assert response.status_code == 400
    assert response.context["formset"].forms[index].errors[field] == [message]
    assert list(OpeningHours.objects.filter(place=place_a).values_list("weekday", flat=True)) == [3]


@pytest.mark.django_db
def test_schedule_exception_added_and_duplicate_day_refused(owner_client, place_a):
    url = reverse("portal:place_exception_create", kwargs={"pk": place_a.pk})

    first = owner_client.post(url, {"date": "2030-07-04", "kind": "special_hours", "opens": "12:00", "closes": "22:00"})
    again = owner_client.post(url, {"date": "2030-07-04", "kind": "closed"})
    missing = owner_client.post(url, {"date": "2030-07-05", "kind": "moved"})

    assert first.status_code == 302
    assert again.status_code == 400
    assert again.context["exception_form"].errors["date"] == [
        "This place already has an exception on that day; delete it first."
    ]
    assert missing.context["exception_form"].errors["opens"] == ["Give the opening time for this day."]
    assert "__all__" not in missing.context["exception_form"].errors
    assert list(ScheduleException.objects.filter(place=place_a).values_list("kind", flat=True)) == ["special_hours"]


@pytest.mark.django_db
def test_photos_upload_reorder_and_delete(owner_client, place_a):
    url = reverse("portal:place_photos", kwargs={"pk": place_a.pk})
    for caption in ("front", "menu board"):
        response = owner_client.post(url, {"image": SimpleUploadedFile("p.png", _png()), "caption": caption})
        assert response.status_code == 302
    front, board = Photo.objects.filter(place=place_a).order_by("position")
    assert (front.caption, board.caption) == ("front", "menu board")

    owner_client.post(
        reverse("portal:place_photo_move", kwargs={"pk": place_a.pk, "photo_pk": board.pk}), {"direction": "up"}
    )
    assert list(Photo.objects.filter(place=place_a).order_by("position").values_list("caption", flat=True)) == [
        "menu board",
        "front",
    ]

    owner_client.post(reverse("portal:place_photo_delete", kwargs={"pk": place_a.pk, "photo_pk": front.pk}))
    assert list(Photo.objects.filter(place=place_a).values_list("caption", flat=True)) == ["menu board"]


@pytest.mark.django_db
def test_photo_upload_refuses_a_non_image(owner_client, place_a):
    response = owner_client.post(
        reverse("portal:place_photos", kwargs={"pk": place_a.pk}),
        {"image": SimpleUploadedFile("cat.png", b"MZ not a picture at all"), "caption": ""},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["image"] == ["Upload a JPEG or PNG photo."]
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_staff_checks_in_with_typed_coordinates_and_address(client, staff_a, place_a):
    client.force_login(staff_a)

    response = client.post(
        reverse("portal:place_check_in", kwargs={"pk": place_a.pk}),
        {"lat": "30.2700", "lng": "-97.7500", "address": "Rainey St", "is_open": "1"},
        follow=True,
    )

    place_a.refresh_from_db()
    assert (place_a.lat, place_a.lng, place_a.is_open, place_a.address) == (30.27, -97.75, True, "Rainey St")
    assert place_a.location_source == LocationSource.PORTAL
    assert "Taco Truck A is checked in at your location and shown as open." in response.content.decode()


@pytest.mark.django_db
def test_check_in_without_coordinates_only_switches_open_or_closed(client, staff_a, place_a):
    place_a.is_open = True
    place_a.save(update_fields=["is_open"])
    client.force_login(staff_a)

    client.post(reverse("portal:place_check_in", kwargs={"pk": place_a.pk}), {"is_open": "0"})

    place_a.refresh_from_db()
    assert (place_a.is_open, place_a.lat, place_a.location_source) == (False, 30.2672, LocationSource.ADDRESS)


@pytest.mark.django_db
def test_check_in_refuses_coordinates_off_the_globe_by_the_field(client, staff_a, place_a):
    client.force_login(staff_a)

    response = client.post(
        reverse("portal:place_check_in", kwargs={"pk": place_a.pk}), {"lat": "95", "lng": "10", "is_open": "1"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["lat"] == ["Ensure this value is less than or equal to 90."]
    place_a.refresh_from_db()
    assert place_a.lat == 30.2672


@pytest.mark.django_db(transaction=True)
def test_deleting_a_place_removes_its_photo_files(client, owner_a, place_a):
    client.force_login(owner_a)
    client.post(
        reverse("portal:place_photos", kwargs={"pk": place_a.pk}), {"image": SimpleUploadedFile("p.png", _png())}
    )
    photo = Photo.objects.get(place=place_a)
    storage, name = photo.image.storage, photo.image.name
    assert storage.exists(name)

    client.post(reverse("portal:place_delete", kwargs={"pk": place_a.pk}))

    assert not storage.exists(name)
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_check_in_older_than_the_stored_one_says_the_newer_check_in_was_kept(client, staff_a, place_a):
    # given a check-in stamped a minute from now (another member's newer request, committed first)
    newer = timezone.now() + timedelta(minutes=1)
    Place.objects.filter(pk=place_a.pk).update(is_open=False, open_changed_at=newer, location_updated_at=newer)
    client.force_login(staff_a)

    # when this older request opens the truck somewhere else
    response = client.post(
        reverse("portal:place_check_in", kwargs={"pk": place_a.pk}),
        {"lat": "30.2700", "lng": "-97.7500", "is_open": "1"},
        follow=True,
    )

    # then the vendor is told what is stored, which the request did not change
    assert "A newer check-in was kept: Taco Truck A is shown as closed." in response.content.decode()
    place_a.refresh_from_db()
    assert (place_a.is_open, place_a.lat, place_a.open_changed_at) == (False, 30.2672, newer)
