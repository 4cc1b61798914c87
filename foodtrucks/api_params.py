"""Reading query parameters: a django-filter FilterSet for the filters, a serializer for the others (a
point, a page), one 400 in the API's error shape for every bad parameter of both."""

from django_filters import FilterSet
from django_filters.utils import translate_validation
from rest_framework import serializers


def filters_valid(
    request, filterset_class: type[FilterSet], *, others: type[serializers.Serializer]
) -> tuple[FilterSet, dict]:
    """The FilterSet bound to the query parameters, and the other parameters validated by `others`;
    invalid ones answer one 400 naming each bad parameter with its messages."""
    filterset = filterset_class(request.query_params, request=request)
    serializer = others(data=request.query_params.dict())
    errors = {}
    if not filterset.is_valid():
        errors.update(translate_validation(filterset.errors).detail)
    if not serializer.is_valid():
        errors.update(serializer.errors)
    if errors:
        raise serializers.ValidationError(errors)
    return filterset, serializer.validated_data
