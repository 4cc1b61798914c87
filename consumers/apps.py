from django.apps import AppConfig


class ConsumersConfig(AppConfig):
    """A consumer's own lists: favorites (followed places), recently viewed, favorite categories."""

    name = "consumers"
    default_auto_field = "django.db.models.BigAutoField"
