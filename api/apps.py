from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The consumer REST API, /api/v1/: DRF views and serializers composing the domains."""

    name = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from api import schema  # noqa: F401 - registers the schema extensions
