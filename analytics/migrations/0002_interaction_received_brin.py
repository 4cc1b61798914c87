"""A BRIN index on received_at (raw SQL: the model's Meta does not declare it).

Serves the nightly job's "events received since the last roll-up" (late events of past days):
rows are appended in received_at order, so a BRIN index of a few pages finds the newest blocks.
"""

from django.db import migrations

INDEX = "interaction_received_brin"


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON analytics_userinteraction USING brin (received_at)",
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
