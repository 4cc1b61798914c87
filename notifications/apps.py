from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Followers' alerts"

    def ready(self):
        # Alerts hear every change of a place from trucks' change bus (trucks never imports notifications).
        from notifications.subscriber import place_change_to_alerts
        from trucks import changes

        changes.subscribe(place_change_to_alerts)
