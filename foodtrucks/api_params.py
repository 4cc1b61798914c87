"""Reading query parameters into a filter serializer (repeatable parameters as lists)."""

from rest_framework import serializers


def query_params_valid(request, serializer_class: type[serializers.Serializer], *, lists: tuple[str, ...] = ()):
    """The validated query parameters, or a 400 with messages by parameter."""
    params = request.query_params
    data = {key: params.get(key) for key in params if key not in lists}
    for key in lists:
        if key in params:
            data[key] = params.getlist(key)
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
