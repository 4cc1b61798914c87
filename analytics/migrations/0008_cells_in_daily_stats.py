"""The heat-map cells move into the places' daily rows: `DailyPlaceStats.cells`, a JSON array of
[cell_lat, cell_lng, events, users] ordered by cell, and the `DailyLocationCell` table goes.

The roll-up then writes one row per place and day instead of one more row per cell, each with its
unique index, its date index and its foreign-key check (docs/scaling.md: the first run's writes).
Every cell of the roll-up belongs to a place-day that has its stats row (the same events), so each
cell finds its row; the reverse puts the cells back in their own table.
"""

from django.db import migrations, models

FORWARD = """
    UPDATE analytics_dailyplacestats s SET cells = c.cells
    FROM (
        SELECT place_id, date,
               jsonb_agg(jsonb_build_array(cell_lat, cell_lng, events, users) ORDER BY cell_lat, cell_lng) AS cells
        FROM analytics_dailylocationcell
        GROUP BY place_id, date
    ) c
    WHERE s.place_id = c.place_id AND s.date = c.date
"""

REVERSE = """
    INSERT INTO analytics_dailylocationcell (place_id, date, cell_lat, cell_lng, events, users)
    SELECT s.place_id, s.date, (c.cell ->> 0)::int, (c.cell ->> 1)::int, (c.cell ->> 2)::int, (c.cell ->> 3)::int
    FROM analytics_dailyplacestats s CROSS JOIN LATERAL jsonb_array_elements(s.cells) AS c(cell)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0007_interaction_partitioned_by_day"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyplacestats",
            name="cells",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="[cell_lat, cell_lng, events, users] per cell, cell_lat = floor(lat * 100), "
                "cell_lng = floor(lng * 100), users distinct; ordered by cell.",
            ),
        ),
        migrations.RunSQL(FORWARD, reverse_sql=REVERSE),
        migrations.DeleteModel(
            name="DailyLocationCell",
        ),
    ]
