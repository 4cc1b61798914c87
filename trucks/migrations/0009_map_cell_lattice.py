"""The map lattice: per-cell counts and coordinate sums of active places at fixed zoom levels.

`trucks_map_cell` holds, for each level k = 0..10 (cells of 0.02° · 2^k: 0.02° to 20.48°), each
cell (row, col) that has held places, and each (kind, is_open): how many active places it holds
and the sums of their lat and lng (the centroid). A level-0 cell is (floor(lat / 0.02),
floor(lng / 0.02)); a level-k cell is its level-0 cells' rows and columns divided by 2^k, rounded
down, so the levels nest exactly. trucks.map_lattice answers a map viewport from it.

Kept current by triggers on trucks_place, not by the services: places move and switch open through
check-ins, the portal, the admin, queryset updates and COPY loads (seed_demo, the benchmarks), and a
trigger sees every one of them in the same transaction, so the lattice never drifts from the places
(a service would miss a bulk update, and a row forgotten once stays wrong). The triggers are per
statement with transition tables: one set-based upsert per statement whatever its row count (a
million-row COPY is one GROUP BY, not a million upserts), and an UPDATE that changes none of lat,
lng, kind, is_open, is_active writes nothing. The upsert goes in key order (no deadlock between two
writers). Cells that become empty keep a row with places = 0 (read past by the query).

Plain SQL (no model): nothing but the triggers writes it and only trucks.map_lattice reads it.
"""

from django.db import migrations

LEVELS = 11
CELL_DEGREES = 0.02

# The rows of a transition table (or of trucks_place) as level-0 cells, with a sign.
_CELLS = (
    "SELECT floor(lat / {size})::integer AS row0, floor(lng / {size})::integer AS col0, kind, is_open, lat, lng,"
    " {sign} AS sign FROM {source} WHERE is_active AND lat IS NOT NULL AND lng IS NOT NULL"
)
_UPSERT = """
INSERT INTO trucks_map_cell AS m (level, cell_row, cell_col, kind, is_open, places, lat_sum, lng_sum)
SELECT l.level, floor(d.row0 / power(2.0::float8, l.level))::integer, floor(d.col0 / power(2.0::float8, l.level))::integer,
       d.kind, d.is_open, sum(d.sign), sum(d.sign * d.lat), sum(d.sign * d.lng)
FROM ({cells}) AS d CROSS JOIN generate_series(0, {top}) AS l(level)
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (level, cell_row, cell_col, kind, is_open) DO UPDATE
SET places = m.places + EXCLUDED.places, lat_sum = m.lat_sum + EXCLUDED.lat_sum, lng_sum = m.lng_sum + EXCLUDED.lng_sum
"""


def _upsert(*sources: tuple[str, int]) -> str:
    cells = " UNION ALL ".join(_CELLS.format(size=CELL_DEGREES, sign=sign, source=source) for source, sign in sources)
    return _UPSERT.format(cells=cells, top=LEVELS - 1)


# An UPDATE counts only the rows whose place on the map changed.
_CHANGED = (
    "(SELECT n.* FROM {side} n JOIN {other} o USING (id) WHERE (o.lat, o.lng, o.kind, o.is_open, o.is_active)"
    " IS DISTINCT FROM (n.lat, n.lng, n.kind, n.is_open, n.is_active)) AS changed"
)

SQL = f"""
CREATE TABLE trucks_map_cell (
    level smallint NOT NULL,
    cell_row integer NOT NULL,
    cell_col integer NOT NULL,
    kind varchar(8) NOT NULL,
    is_open boolean NOT NULL,
    places integer NOT NULL,
    lat_sum double precision NOT NULL,
    lng_sum double precision NOT NULL,
    PRIMARY KEY (level, cell_row, cell_col, kind, is_open)
);
-- the lattice's west and east strips are column ranges: read by column first
CREATE INDEX trucks_map_cell_by_column ON trucks_map_cell (level, cell_col, cell_row);

CREATE FUNCTION trucks_map_cell_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{_upsert(("new_rows", 1))};
RETURN NULL;
END $$;

CREATE FUNCTION trucks_map_cell_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{_upsert((_CHANGED.format(side="new_rows", other="old_rows"), 1), (_CHANGED.format(side="old_rows", other="new_rows"), -1))};
RETURN NULL;
END $$;

CREATE FUNCTION trucks_map_cell_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{_upsert(("old_rows", -1))};
RETURN NULL;
END $$;

CREATE FUNCTION trucks_map_cell_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
TRUNCATE trucks_map_cell;
RETURN NULL;
END $$;

CREATE TRIGGER trucks_place_map_cell_insert AFTER INSERT ON trucks_place
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trucks_map_cell_inserted();
CREATE TRIGGER trucks_place_map_cell_update AFTER UPDATE ON trucks_place
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trucks_map_cell_updated();
CREATE TRIGGER trucks_place_map_cell_delete AFTER DELETE ON trucks_place
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION trucks_map_cell_deleted();
CREATE TRIGGER trucks_place_map_cell_truncate AFTER TRUNCATE ON trucks_place
    FOR EACH STATEMENT EXECUTE FUNCTION trucks_map_cell_truncated();

{_upsert(("trucks_place", 1))};
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS trucks_place_map_cell_insert ON trucks_place;
DROP TRIGGER IF EXISTS trucks_place_map_cell_update ON trucks_place;
DROP TRIGGER IF EXISTS trucks_place_map_cell_delete ON trucks_place;
DROP TRIGGER IF EXISTS trucks_place_map_cell_truncate ON trucks_place;
DROP FUNCTION IF EXISTS trucks_map_cell_inserted(), trucks_map_cell_updated(), trucks_map_cell_deleted(),
    trucks_map_cell_truncated();
DROP TABLE IF EXISTS trucks_map_cell;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("trucks", "0008_place_active_point_gist_idx"),
    ]

    operations = [migrations.RunSQL(sql=SQL, reverse_sql=REVERSE_SQL)]
