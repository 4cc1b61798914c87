"""A BRIN index on received_at, PostgreSQL only (SQLite has no BRIN; `make run` needs none).

Serves the nightly job's "events received since the last roll-up" (late events of past days):
rows are appended in received_at order, so a BRIN index of a few pages finds the newest blocks.
"""

from django.db import migrations

INDEX = "interaction_received_brin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON analytics_userinteraction USING brin (received_at)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
