"""The national map from the lattice: a viewport's clusters without reading its places.

`trucks_map_cell` (trucks/migrations/0009, kept by triggers on trucks_place) holds each cell's count
and coordinate sums at levels k = 0..10, cells of CELL_DEGREES · 2^k. A viewport is answered on the
grid of one level A, the finest whose cells over the box number at most MAP_CLUSTER_GRID²: each
cluster is a level-A cell clipped to the box. Exact, every place of the box counted once:
- the level-0 cells wholly inside the box make an integer rectangle I0; a level-k cell is wholly
  inside when all its level-0 cells are in I0, which gives the rectangle Ik (nested by construction);
- the answer sums, at level A, the cells of IA; at each level k < A, the cells of Ik that are not
  inside a cell of Ik+1 (a ring at most one cell wide, so a few hundred rows in all);
- the places of the box whose level-0 cell is not in I0 (strips narrower than 0.02° along the
  edges) are read from trucks_place itself, through the GiST index on point(lng, lat).
One statement. A box that crosses the antimeridian is two boxes, [west, 180] and [-180, east].
Used when the map's only filters are the box, open_now and kind (the lattice's keys).
"""

import math
from dataclasses import dataclass

from django.db import connection

from trucks.viewport import Cluster, MapAnswer, Viewport

CELL_DEGREES = 0.02
LEVELS = 11
# Float rounding at a cell's edge: a cell is inside the box only with this margin to spare.
EDGE_MARGIN = 1e-9
# The strips read from trucks_place reach this far into I0 (the exact test is the cell, in SQL).
STRIP_SLACK = 1e-6


@dataclass(frozen=True)
class Rect:
    """Rows and columns, inclusive; empty when lo > hi."""

    row_lo: int
    row_hi: int
    col_lo: int
    col_hi: int

    @property
    def empty(self) -> bool:
        return self.row_lo > self.row_hi or self.col_lo > self.col_hi

    def at_parent_scale(self) -> "Rect":
        """The level-k cells covered by this rectangle of level-(k+1) cells."""
        return Rect(2 * self.row_lo, 2 * self.row_hi + 1, 2 * self.col_lo, 2 * self.col_hi + 1)

    def minus(self, inner: "Rect") -> list["Rect"]:
        """This rectangle less `inner` (inside it), as up to four rectangles."""
        if inner.empty:
            return [self]
        parts = [
            Rect(self.row_lo, inner.row_lo - 1, self.col_lo, self.col_hi),
            Rect(inner.row_hi + 1, self.row_hi, self.col_lo, self.col_hi),
            Rect(inner.row_lo, inner.row_hi, self.col_lo, inner.col_lo - 1),
            Rect(inner.row_lo, inner.row_hi, inner.col_hi + 1, self.col_hi),
        ]
        return [part for part in parts if not part.empty]


@dataclass(frozen=True)
class Half:
    """A box that does not cross the antimeridian."""

    south: float
    west: float
    north: float
    east: float

    def cell_span(self, level: int) -> Rect:
        """The level's cells the box touches (the rows and columns of its corners)."""
        scale = 2**level
        return Rect(
            _cell(self.south) // scale, _cell(self.north) // scale, _cell(self.west) // scale, _cell(self.east) // scale
        )

    def inside(self, level: int) -> Rect:
        """The level's cells wholly inside the box (from the level-0 ones, so the levels nest)."""
        row_lo = math.ceil((self.south + EDGE_MARGIN) / CELL_DEGREES)
        row_hi = math.floor((self.north - EDGE_MARGIN) / CELL_DEGREES) - 1
        col_lo = math.ceil((self.west + EDGE_MARGIN) / CELL_DEGREES)
        col_hi = math.floor((self.east - EDGE_MARGIN) / CELL_DEGREES) - 1
        scale = 2**level
        return Rect(-(-row_lo // scale), (row_hi + 1) // scale - 1, -(-col_lo // scale), (col_hi + 1) // scale - 1)


def _cell(degrees: float) -> int:
    """The level-0 row or column of a coordinate, as the triggers compute it (floor(x / 0.02))."""
    return math.floor(degrees / CELL_DEGREES)


def _edge(index: int, size: float) -> float:
    """A cell's edge in degrees: sizes are whole hundredths, so the edge is too (1520 · 0.02 is
    30.400000000000002 in floats; a place at 30.4 is in that cell and must be inside its bounds)."""
    return round(index * size, 6)


def _halves(viewport: Viewport) -> list[Half]:
    if viewport.crosses_antimeridian:
        return [
            Half(viewport.south, viewport.west, viewport.north, 180.0),
            Half(viewport.south, -180.0, viewport.north, viewport.east),
        ]
    return [Half(viewport.south, viewport.west, viewport.north, viewport.east)]


def answer_level(viewport: Viewport, *, max_cells: int) -> int | None:
    """The finest level whose cells over the box number at most `max_cells`, or None."""
    halves = _halves(viewport)
    for level in range(LEVELS):
        spans = [half.cell_span(level) for half in halves]
        rows = spans[0].row_hi - spans[0].row_lo + 1
        columns = sum(span.col_hi - span.col_lo + 1 for span in spans)
        if rows * columns <= max_cells:
            return level
    return None


_LATTICE_PART = (
    "SELECT {half} AS half, floor(cell_row / {scale}::float8)::integer AS r,"
    " floor(cell_col / {scale}::float8)::integer AS c, places, lat_sum, lng_sum FROM trucks_map_cell"
    " WHERE level = {level} AND {rows} AND {cols} AND places > 0{filters}"
)
_PLACES_PART = (
    "SELECT {half} AS half, floor(floor(lat / {size}) / {scale}::float8)::integer AS r,"
    " floor(floor(lng / {size}) / {scale}::float8)::integer AS c, 1 AS places, lat AS lat_sum, lng AS lng_sum"
    " FROM trucks_place WHERE is_active AND point(lng, lat) <@ box(point(%s, %s), point(%s, %s))"
    "{band}{outside}{filters}"
)


def _between(column: str, low: int, high: int) -> str:
    """A range of rows or columns; one of them as `=`, so the planner picks the index that leads with it."""
    return f"{column} = {low}" if low == high else f"{column} BETWEEN {low} AND {high}"


def _filters_sql(kind: str | None, is_open: bool | None) -> tuple[str, list]:
    sql, params = "", []
    if kind is not None:
        sql, params = sql + " AND kind = %s", [*params, kind]
    if is_open is not None:
        sql, params = sql + " AND is_open = %s", [*params, is_open]
    return sql, params


def _half_parts(number: int, half: Half, level: int, filters: tuple[str, list]) -> list[tuple[str, list]]:
    """The statement's parts for one half: the lattice's cells level by level, then the edge strips."""
    filter_sql, filter_params = filters
    parts = []
    outer = None  # the cells of the level above taken whole, at this level's scale
    for k in range(level, -1, -1):
        inside = half.inside(k)
        if not inside.empty:
            for rect in inside.minus(outer) if outer is not None else [inside]:
                sql = _LATTICE_PART.format(
                    half=number,
                    scale=float(2 ** (level - k)),
                    level=k,
                    rows=_between("cell_row", rect.row_lo, rect.row_hi),
                    cols=_between("cell_col", rect.col_lo, rect.col_hi),
                    filters=filter_sql,
                )
                parts.append((sql, list(filter_params)))
            outer = inside.at_parent_scale() if k > 0 else None
        else:
            outer = None
    parts.extend(_strip_parts(number, half, level, filters))
    return parts


def _strip_parts(number: int, half: Half, level: int, filters: tuple[str, list]) -> list[tuple[str, list]]:
    """The places of the box outside I0, read from trucks_place: the whole box when I0 is empty, else
    four disjoint strips along its edges (south and north the whole width, west and east between
    them), each its own GiST box condition so only the strip is read. The exact test is the place's
    level-0 cell (NOT in I0), computed as the triggers compute it."""
    filter_sql, filter_params = filters
    inside = half.inside(0)
    common = {"half": number, "size": CELL_DEGREES, "scale": float(2**level), "filters": filter_sql}
    if inside.empty:
        sql = _PLACES_PART.format(**common, band="", outside="")
        return [(sql, [half.west, half.south, half.east, half.north, *filter_params])]
    outside = (
        f" AND NOT (floor(lat / {CELL_DEGREES}) BETWEEN {inside.row_lo} AND {inside.row_hi}"
        f" AND floor(lng / {CELL_DEGREES}) BETWEEN {inside.col_lo} AND {inside.col_hi})"
    )
    south_in = inside.row_lo * CELL_DEGREES + STRIP_SLACK
    north_in = (inside.row_hi + 1) * CELL_DEGREES - STRIP_SLACK
    west_in = inside.col_lo * CELL_DEGREES + STRIP_SLACK
    east_in = (inside.col_hi + 1) * CELL_DEGREES - STRIP_SLACK
    between = " AND lat > %s AND lat < %s"
    strips = [
        ((half.west, half.south, half.east, south_in), "", []),
        ((half.west, north_in, half.east, half.north), "", []),
        ((half.west, half.south, west_in, half.north), between, [south_in, north_in]),
        ((east_in, half.south, half.east, half.north), between, [south_in, north_in]),
    ]
    return [
        (_PLACES_PART.format(**common, band=band, outside=outside), [*box, *band_params, *filter_params])
        for box, band, band_params in strips
    ]


def lattice_map(*, viewport: Viewport, max_cells: int, kind: str | None = None, is_open: bool | None = None):
    """The viewport's clusters on the lattice (a MapAnswer), or None when no level fits the box."""
    level = answer_level(viewport, max_cells=max_cells)
    if level is None:
        return None
    halves = _halves(viewport)
    parts = [
        part
        for number, half in enumerate(halves)
        for part in _half_parts(number, half, level, _filters_sql(kind, is_open))
    ]
    sql = (
        "SELECT half, r, c, SUM(places), SUM(lat_sum), SUM(lng_sum) FROM ("  # nosec B608 # noqa: S608 - numbers only
        + " UNION ALL ".join(sql for sql, _ in parts)
        + ") AS cells GROUP BY half, r, c HAVING SUM(places) > 0 ORDER BY r, half, c"
    )
    params = [value for _, part_params in parts for value in part_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        groups = cursor.fetchall()
    size = CELL_DEGREES * 2**level
    clusters = []
    for number, row, column, places, lat_sum, lng_sum in groups:
        half = halves[number]
        clusters.append(
            Cluster(
                count=int(places),
                lat=lat_sum / places,
                lng=lng_sum / places,
                south=max(half.south, _edge(row, size)),
                north=min(half.north, _edge(row + 1, size)),
                west=max(half.west, _edge(column, size)),
                east=min(half.east, _edge(column + 1, size)),
            )
        )
    spans = [half.cell_span(level) for half in halves]
    return MapAnswer(
        count=sum(cluster.count for cluster in clusters),
        clusters=clusters,
        rows=spans[0].row_hi - spans[0].row_lo + 1,
        columns=sum(span.col_hi - span.col_lo + 1 for span in spans),
    )
