"""The API's one error shape, for errors raised anywhere (services, lookups, DRF itself)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework.exceptions import ValidationError

from foodtrucks.api_errors import exception_handler


def handle(exc):
    response = exception_handler(exc, {})
    return response.status_code, response.data


def test_django_validation_error_by_field_is_400_with_field_messages():
    status, data = handle(DjangoValidationError({"lat": "Bad latitude.", "__all__": ["Both or neither."]}))

    assert status == 400
    assert data == {
        "detail": "Some fields are not valid.",
        "errors": {"lat": ["Bad latitude."], "non_field_errors": ["Both or neither."]},
    }


def test_django_validation_error_without_field_is_a_non_field_error():
    status, data = handle(DjangoValidationError("Closed for the season."))

    assert (status, data) == (
        400,
        {"detail": "Closed for the season.", "errors": {"non_field_errors": ["Closed for the season."]}},
    )


def test_http404_and_permission_denied_answer_the_same_shape():
    assert handle(Http404("No such place.")) == (404, {"detail": "No such place.", "errors": {}})
    assert handle(PermissionDenied()) == (
        403,
        {"detail": "You do not have permission to perform this action.", "errors": {}},
    )


def test_nested_serializer_errors_are_named_by_their_path():
    status, data = handle(ValidationError({"address": {"city": ["Required."]}}))

    assert (status, data["errors"]) == (400, {"address.city": ["Required."]})


def test_list_item_errors_are_named_by_their_index():
    # given DRF's errors of a list of objects: one dict per item, empty for the valid ones
    detail = {"events": [{}, {"place": ["Unknown or inactive place."], "lat": ["Too far north."]}]}

    # when
    status, data = handle(ValidationError(detail))

    # then
    assert status == 400
    assert data["errors"] == {"events.1.place": ["Unknown or inactive place."], "events.1.lat": ["Too far north."]}


def test_unexpected_errors_are_left_to_django():
    assert exception_handler(RuntimeError("boom"), {}) is None
