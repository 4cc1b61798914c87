"""Extensions of the API's OpenAPI schema (loaded by ApiConfig.ready)."""

from drf_spectacular.contrib.django_filters import DjangoFilterExtension


class FilterLimitsExtension(DjangoFilterExtension):
    """django-filter's query parameters with their limits (maxLength, a pattern), as DRF's fields show
    theirs: the mobile client is generated from the schema and checks them before asking."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        field = filter_field.field_class(**filter_field.extra)  # not .field: that caches one on the class's filter
        limits = {}
        if getattr(field, "max_length", None):
            limits["maxLength"] = field.max_length
        if getattr(field, "pattern", None):
            limits["pattern"] = field.pattern
        for parameter in parameters:
            schema = parameter["schema"]
            (schema["items"] if schema.get("type") == "array" else schema).update(limits)
        return parameters
