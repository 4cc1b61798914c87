"""The plain nearby search's GiST index (and the map lattice's edge strips: trucks.map_lattice).

`point(lng, lat)` of active places in a GiST (an R-tree): `point(lng, lat) <@ box(...)` reads only
the box, where the B-tree `place_active_geo_idx` on (lat, lng, id) reads every entry of the box's
latitude band, coast to coast. lat, lng and id are included so the search and its capped count are
index-only scans. Core PostgreSQL only (no PostGIS, cube or btree_gist): it runs on the embedded
database too. Measured in docs/performance-nearby.md.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("trucks", "0007_upcoming_stops"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS place_active_point_idx ON trucks_place USING gist (point(lng, lat))"
            " INCLUDE (lat, lng, id) WHERE is_active",
            reverse_sql="DROP INDEX IF EXISTS place_active_point_idx",
        ),
    ]
