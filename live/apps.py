from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = "Live streams"

    def ready(self):
        # The live streams hear every change of a place from trucks' change bus (trucks never imports live).
        from live.publisher import place_change_to_streams
        from trucks import changes

        changes.subscribe(place_change_to_streams)
