"""One JSON error shape for the whole API: `{"detail": "...", "errors": {"field": ["message"]}}`.

`errors` is always present (empty for errors that concern no field); messages that belong to no
single field go under `non_field_errors`. Django's ValidationError (raised by services) and Http404
are mapped here, so a view never has to translate them by hand.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [msg for value in detail.values() for msg in _flatten(value)]
    if isinstance(detail, list):
        return [msg for value in detail for msg in _flatten(value)]
    return [str(detail)]


def _field_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's error detail as a flat {field: [messages]}.

    Nested objects are named by their path, so every value stays a list of strings (the schema's
    shape): `{"address.city": [...]}`, and an item of a list of objects by its zero-based index:
    `{"events.3.place": ["Unknown or inactive place."]}`.
    """
    if not isinstance(detail, dict):
        return {prefix or NON_FIELD: _messages(detail)}
    errors: dict[str, list[str]] = {}
    for key, value in detail.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and _is_plain_list_errors(value):
            # A list of plain values: "Item 2: Enter a valid slug." under the field's own name.
            errors[path] = [f"Item {index + 1}: {msg}" for index, item in value.items() for msg in _flatten(item)]
        elif isinstance(value, dict):
            errors.update(_field_errors(value, path))
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    errors.update(_field_errors(item, f"{path}.{index}"))
                elif item:
                    errors[f"{path}.{index}"] = _messages(item)
        else:
            errors[path] = _messages(value)
    return errors


def _is_plain_list_errors(value: dict) -> bool:
    """DRF's errors of a list of plain values: {item index: [messages]}."""
    return bool(value) and all(isinstance(k, int) and not isinstance(v, dict) for k, v in value.items())


def _messages(detail) -> list[str]:
    if isinstance(detail, list):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def django_validation_error_as_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            (NON_FIELD if field == "__all__" else field): [msg for error in errors for msg in error.messages]
            for field, errors in exc.error_dict.items()
        }
    else:
        detail = {NON_FIELD: exc.messages}
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_as_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: let Django log it and answer 500

    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        first = _flatten(exc.detail)
        detail = first[0] if len(first) == 1 else "Some fields are not valid."
        response.data = {"detail": detail, "errors": errors}
    else:
        data = response.data
        detail = data.get("detail") if isinstance(data, dict) else None
        response.data = {"detail": str(detail if detail is not None else exc), "errors": {}}
    return response


class ErrorSerializer(serializers.Serializer):
    """The API's error body, documented once in the schema."""

    detail = serializers.CharField(help_text="A human-readable summary of the error.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages by field, e.g. {"email": ["A user with this email already exists."]}; a field of a nested '
        'object or list item is named by its path, e.g. {"events.3.place": ["Unknown or inactive place."]}; '
        '"non_field_errors" holds messages that concern no single field. Empty when no field is at fault.',
    )


_ERROR_DESCRIPTIONS = {
    400: "Invalid input: `errors` holds the messages by field.",
    401: "Not authenticated: send `Authorization: Token <key>`.",
    403: "Not allowed.",
    404: "Not found (or not yours).",
    410: "Gone: what you asked after is no longer kept.",
    429: "Too many requests: retry after the number of seconds in the `Retry-After` header.",
}


def error_responses(*codes: int) -> dict:
    """Schema entries for the error answers of an endpoint (429 is on every endpoint)."""
    return {
        code: OpenApiResponse(response=ErrorSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in sorted({*codes, 429})
    }
