"""The map viewport: the places inside a lat/lng box, or, when the box holds too many, clusters.

A box is `south,west,north,east`; west > east means it crosses the antimeridian (180°). It filters
on `place_active_geo_idx` (lat, lng, id of active places: trucks/migrations/0002) like the nearby
search. When the filtered box holds more than MAP_CLUSTER_THRESHOLD places, the answer is a grid of
MAP_CLUSTER_GRID × MAP_CLUSTER_GRID cells over the box, each with its count and the centroid of its
places, aggregated by one GROUP BY in SQL (never a Python loop over the places). That GROUP BY reads
every place of the box: its cost grows with them (docs/performance-discovery.md).
"""

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Avg, Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Floor, Greatest, Least

from trucks.models import Place
from trucks.nearby import BoundingBox

if TYPE_CHECKING:
    from trucks.filters import PlaceMapFilter


@dataclass(frozen=True)
class Viewport:
    """A map's visible box; west > east when it crosses the antimeridian."""

    south: float
    west: float
    north: float
    east: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.west > self.east

    @property
    def width(self) -> float:
        """Degrees of longitude the box spans, across 180° if it wraps."""
        return self.east - self.west + (360.0 if self.crosses_antimeridian else 0.0)

    @property
    def height(self) -> float:
        return self.north - self.south

    def as_q(self) -> Q:
        return BoundingBox(self.south, self.north, self.west, self.east).as_q()


def viewport_parse(text: str) -> Viewport:
    """`south,west,north,east` as a Viewport, or ValueError with every problem, one message each."""
    parts = text.split(",")
    if len(parts) != 4:
        raise ValueError(["Give four numbers: south,west,north,east."])
    names = ("south", "west", "north", "east")
    values, problems = {}, []
    for name, part in zip(names, parts, strict=True):
        try:
            value = float(part)
        except ValueError:
            problems.append(f"{name}: A valid number is required.")
            continue
        if not math.isfinite(value):
            problems.append(f"{name}: A valid number is required.")
            continue
        limit = 90.0 if name in ("south", "north") else 180.0
        if not -limit <= value <= limit:
            problems.append(f"{name}: Ensure this value is between {-limit:g} and {limit:g}.")
        values[name] = value
    if not problems and values["south"] > values["north"]:
        problems.append("south: Ensure south is not above north.")
    if problems:
        raise ValueError(problems)
    return Viewport(**values)


@dataclass(frozen=True)
class Cluster:
    """A grid cell with places: how many, their centroid, and the cell's own bounds."""

    count: int
    lat: float
    lng: float
    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True)
class MapAnswer:
    """Either the ids of every place in the box (`clusters` is None) or the clusters of the box."""

    count: int
    place_ids: list[int] | None = None
    clusters: list[Cluster] | None = None
    rows: int = 0
    columns: int = 0


def _wrap_lng(lng: float) -> float:
    """A longitude past 180° (the shifted side of a wrapped box) back into -180..180."""
    return lng - 360.0 if lng > 180.0 else lng


def _wrap_west_edge(lng: float, *, wrapped_box: bool) -> float:
    """A cell's west edge: on a wrapped box, a cell that starts at 180° starts at -180°."""
    return lng - 360.0 if wrapped_box and lng >= 180.0 else lng


def map_viewport(*, viewport: Viewport, queryset: QuerySet[Place], threshold: int | None = None) -> MapAnswer:
    """The places of `queryset` (already filtered) inside `viewport`: their ids, or clusters past `threshold`.

    Two queries at most: the box's ids up to threshold + 1 (stops early on a crowded box), then, if
    there are more, one GROUP BY over the grid cells.
    """
    threshold = settings.MAP_CLUSTER_THRESHOLD if threshold is None else threshold
    in_box = queryset.filter(viewport.as_q()).order_by()
    ids = list(in_box.values_list("id", flat=True)[: threshold + 1])
    if len(ids) <= threshold:
        return MapAnswer(count=len(ids), place_ids=sorted(ids))

    grid = settings.MAP_CLUSTER_GRID
    # A box of zero height or width puts every place in its first row or column.
    cell_lat = max(viewport.height / grid, 1e-9)
    cell_lng = max(viewport.width / grid, 1e-9)
    lng = F("lng")
    if viewport.crosses_antimeridian:
        # east of 180° counts on from west: the box is one band from west to east + 360
        lng = Case(When(lng__lt=viewport.west, then=F("lng") + 360.0), default=F("lng"), output_field=FloatField())

    def cell(value, start: float, size: float):
        # north and east edges belong to the last row and column
        index = Floor((value - Value(start)) / Value(size))
        return Least(Greatest(index, Value(0.0)), Value(float(grid - 1)))

    # One integer key per cell (row * grid + column), and no ORDER BY: PostgreSQL hashes it (a
    # HashAggregate of at most grid² groups) instead of sorting every place of the box (twice as slow).
    key = Cast(
        cell(F("lat"), viewport.south, cell_lat) * Value(float(grid)) + cell(lng, viewport.west, cell_lng),
        IntegerField(),
    )
    groups = in_box.values(cell=key).annotate(places=Count("id"), centroid_lat=Avg("lat"), centroid_lng=Avg(lng))
    clusters = []
    # no ORDER BY in SQL (it would make PostgreSQL sort the places to group them): the cells are sorted here
    for group in sorted(groups, key=lambda group: group["cell"]):
        row, column = divmod(group["cell"], grid)
        clusters.append(
            Cluster(
                count=group["places"],
                lat=group["centroid_lat"],
                lng=_wrap_lng(group["centroid_lng"]),
                south=viewport.south + row * viewport.height / grid,
                north=viewport.south + (row + 1) * viewport.height / grid,
                west=_wrap_west_edge(
                    viewport.west + column * viewport.width / grid, wrapped_box=viewport.crosses_antimeridian
                ),
                east=_wrap_lng(viewport.west + (column + 1) * viewport.width / grid),
            )
        )
    return MapAnswer(count=sum(cluster.count for cluster in clusters), clusters=clusters, rows=grid, columns=grid)


# The map's filters the lattice (trucks.map_lattice) answers: its keys, besides the box.
LATTICE_FILTERS = frozenset({"bbox", "kind", "open_now"})


def places_map(*, filters: "PlaceMapFilter") -> MapAnswer:
    """The map of the active places `filters` keeps (its viewport required); a ValidationError by
    parameter when they are invalid.

    Past the threshold, when no filter but the box, kind and open_now narrowed the places, the
    clusters come from the lattice (trucks.map_lattice, a grid of fixed cells, without reading the
    box's places); otherwise from one GROUP BY over the box's places (map_viewport).
    """
    if not filters.is_valid():
        raise ValidationError(filters.errors)
    queryset = filters.filter_queryset(Place.objects.filter(is_active=True))
    if not _only_lattice_filters(filters):
        return map_viewport(viewport=filters.viewport, queryset=queryset)
    from trucks.map_lattice import lattice_map

    threshold = settings.MAP_CLUSTER_THRESHOLD
    ids = list(queryset.filter(filters.viewport.as_q()).order_by().values_list("id", flat=True)[: threshold + 1])
    if len(ids) <= threshold:
        return MapAnswer(count=len(ids), place_ids=sorted(ids))
    cleaned = filters.form.cleaned_data
    answer = lattice_map(
        viewport=filters.viewport,
        max_cells=settings.MAP_CLUSTER_GRID**2,
        kind=cleaned.get("kind") or None,
        is_open=cleaned.get("open_now"),
    )
    return answer if answer is not None else map_viewport(viewport=filters.viewport, queryset=queryset, threshold=-1)


def _only_lattice_filters(filters: "PlaceMapFilter") -> bool:
    """No filter but the box, kind and open_now narrows the places (a diet switch set to false does not)."""
    everything = Place.objects.all()
    for name, value in filters.form.cleaned_data.items():
        if name not in LATTICE_FILTERS and filters.filters[name].filter(everything, value) is not everything:
            return False
    return True
