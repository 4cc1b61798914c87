from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data: seed_demo and its bulk loaders, on top of every app."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
