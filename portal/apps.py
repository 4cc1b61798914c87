from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The vendor portal, /portal/: views and forms composing the domains."""

    name = "portal"
    default_auto_field = "django.db.models.BigAutoField"
