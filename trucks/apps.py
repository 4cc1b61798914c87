from django.apps import AppConfig


class TrucksConfig(AppConfig):
    name = "trucks"
    default_auto_field = "django.db.models.BigAutoField"
