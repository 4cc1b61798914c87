from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = "Live streams"

    def ready(self):
        # The live streams hear every change of a place from trucks' change bus (trucks never imports live).
        from live.publisher import place_change_to_streams
        from trucks import changes

        changes.subscribe(place_change_to_streams)
        self._supervise_the_redis_listener()

    @staticmethod
    def _supervise_the_redis_listener() -> None:
        """Each ASGI process hears the other processes' events through one Redis pub/sub listener: ours
        reconnects after Redis went away, where django-eventstream's would end for good (live.listener)."""
        from django.conf import settings

        if not hasattr(settings, "EVENTSTREAM_REDIS"):
            return
        from django_eventstream.views import get_listener_manager

        from live.listener import SupervisedRedisListener

        manager = get_listener_manager()
        if manager.redis_listener is not None and not manager.redis_listener_started:
            manager.redis_listener = SupervisedRedisListener()
