from django.apps import AppConfig


class TrucksConfig(AppConfig):
    name = "trucks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The card statement's json columns (cover, categories, hours, exceptions: four a card) are
        # parsed by orjson rather than the standard library: the same values, a fifth of the CPU.
        # Process-wide for psycopg's json/jsonb loaders; Django's JSONField reads its jsonb as text
        # and parses it itself, so it is not affected.
        import orjson
        from psycopg.types.json import set_json_loads

        set_json_loads(orjson.loads)
