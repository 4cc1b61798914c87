"""The nearby search's covering index.

Serves: "active places inside this lat/lng box", i.e. trucks.nearby.nearby_places, together with
its COUNT(*) OVER (). It holds (lat, lng, id) of active places only, so PostgreSQL answers the
search and its count with an index-only scan and reads just the page's 20 rows from the table
(trucks.search.place_cards_by_ids). Measured in docs/performance-nearby.md.

Plain SQL, so the model's Meta stays as it is.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("trucks", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS place_active_geo_idx ON trucks_place (lat, lng, id) WHERE is_active",
            reverse_sql="DROP INDEX IF EXISTS place_active_geo_idx",
        ),
    ]
