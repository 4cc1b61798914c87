"""The portal's one form-post flow (portal/forms_flow.py): what a vendor sees when a service refuses."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from trucks.models import OpeningHours, Place
from vendors.models import BusinessCertificate

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

PLACE_FORM = {"kind": "truck", "name": "Green Machine", "time_zone": "America/Denver", "city": "Denver"}


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


def _refuse(error: ValidationError):
    def service(**kwargs):
        raise error

    return service


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_form_flow_when_the_service_refuses_shows_its_errors_by_the_field_with_400(owner_client, vendor_a, monkeypatch):
    # given a service that refuses the name, and says something that belongs to no field
    error = ValidationError({"name": "That name is taken in Denver.", "vendor": "This vendor is suspended."})
    monkeypatch.setattr("trucks.services.place_create", _refuse(error))

    # when a valid form is posted
    response = owner_client.post(reverse("portal:place_create"), PLACE_FORM)

    # then the page comes back with the errors where they belong, and nothing was saved
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["name"] == ["That name is taken in Denver."]
    assert form.non_field_errors() == ["This vendor is suspended."]
    assert _messages(response) == ["Nothing was saved: please correct the fields marked below."]
    assert 'id="id_name_error"' in response.content.decode()
    assert not Place.objects.filter(vendor=vendor_a).exists()


@pytest.mark.django_db
def test_form_flow_when_the_service_refuses_a_formset_shows_the_error_above_the_rows(
    owner_client, place_a, monkeypatch
):
    monkeypatch.setattr("trucks.services.opening_hours_replace", _refuse(ValidationError("The week is locked.")))
    payload = {
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        "hours-0-weekday": "2",
        "hours-0-opens": "09:00",
        "hours-0-closes": "12:00",
    }

    response = owner_client.post(reverse("portal:place_hours", kwargs={"pk": place_a.pk}), payload)

    assert response.status_code == 400
    assert response.context["formset"].non_form_errors() == ["The week is locked."]
    assert _messages(response) == ["The hours were not saved: please correct the rows marked below."]
    assert not OpeningHours.objects.filter(place=place_a).exists()


@pytest.mark.django_db
def test_form_flow_when_the_certificate_service_refuses_puts_the_error_on_the_file(owner_client, monkeypatch):
    monkeypatch.setattr("vendors.services.certificate_upload", _refuse(ValidationError("The storage is full.")))
    upload = SimpleUploadedFile("permit.pdf", PDF, content_type="application/pdf")

    response = owner_client.post(reverse("portal:certificates"), {"kind": "health_permit", "file": upload})

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The storage is full."]
    assert _messages(response) == ["The certificate was not uploaded: see the message by the field."]
    assert not BusinessCertificate.objects.exists()


@pytest.mark.django_db
def test_form_flow_when_the_exception_form_is_asked_with_get_answers_405(owner_client, place_a):
    response = owner_client.get(reverse("portal:place_exception_create", kwargs={"pk": place_a.pk}))

    assert response.status_code == 405
