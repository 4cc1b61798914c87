"""Reads behind the portal's analytics page besides the daily rows: where the data starts, the
funnel and dwell of a period (raw events), its audience, and the heat map's location cells."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Avg, Count, Min, Q
from django.utils import timezone

from analytics.models import DailyPlaceStats, InteractionType, UserInteraction
from trucks.models import Place

# k-anonymity: an audience cell is shown only when at least this many people are in it.
AUDIENCE_MIN_PEOPLE = 10
AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, None))
# The heat map draws at most this many cells (the busiest).
HEATMAP_MAX_CELLS = 2000

IS_VIEW = Q(type=InteractionType.VIEW, dwell_ms__isnull=True)


def first_data_day(*, places: list[Place]) -> date | None:
    """The first local day with figures of any of the places: its first rolled-up day, or today when
    only today's raw events exist yet. None when no event at all was ever recorded (a new place)."""
    if not places:
        return None
    first = DailyPlaceStats.objects.filter(place_id__in=[place.pk for place in places]).aggregate(first=Min("date"))[
        "first"
    ]
    return first


def period_events(*, places: list[Place], start: date, now: datetime | None = None):
    """The raw events of the places from each one's local midnight of `start` until now (one query)."""
    now = now or timezone.now()
    by_zone: dict[str, list[int]] = {}
    for place in places:
        by_zone.setdefault(place.time_zone, []).append(place.pk)
    within = Q(pk__in=[])
    for zone, ids in by_zone.items():
        midnight = datetime.combine(start, time.min, tzinfo=ZoneInfo(zone))
        within |= Q(place_id__in=ids, occurred_at__gte=midnight)
    return UserInteraction.objects.filter(within, occurred_at__lt=now + timedelta(minutes=5))


@dataclass(frozen=True)
class Funnel:
    """People per step in the period (each person once, whatever the day or place)."""

    nearby: int
    viewed: int
    clicked: int
    rated: int
    dwell_reports: int
    avg_dwell_ms: float | None

    @property
    def avg_dwell_seconds(self) -> float | None:
        return None if self.avg_dwell_ms is None else round(self.avg_dwell_ms / 1000, 1)

    def steps(self) -> list[tuple[str, str, int]]:
        return [
            ("nearby", "Detected nearby", self.nearby),
            ("viewed", "Opened the page", self.viewed),
            ("clicked", "Tapped an action", self.clicked),
            ("rated", "Rated", self.rated),
        ]


def period_funnel(*, places: list[Place], start: date, now: datetime | None = None) -> Funnel:
    """Distinct users per step (nearby → view → click → rating) and the average dwell, from the raw
    events. Steps are counted independently: a person may view without having been detected nearby."""
    figures = period_events(places=places, start=start, now=now).aggregate(
        nearby=Count("user_id", filter=Q(type=InteractionType.NEARBY_DETECTION), distinct=True),
        viewed=Count("user_id", filter=IS_VIEW, distinct=True),
        clicked=Count("user_id", filter=Q(type=InteractionType.CLICK), distinct=True),
        rated=Count("user_id", filter=Q(type=InteractionType.RATING), distinct=True),
        dwell_reports=Count("id", filter=Q(dwell_ms__isnull=False)),
        avg_dwell_ms=Avg("dwell_ms"),
    )
    return Funnel(**figures)


@dataclass(frozen=True)
class AudienceCell:
    label: str
    people: int


@dataclass(frozen=True)
class Audience:
    """Unique viewers of the period by age band and by primary city: only cells of at least
    AUDIENCE_MIN_PEOPLE people; the smaller ones are merged into `other` (shown only when it too
    reaches the threshold, else None)."""

    viewers: int
    age_bands: list[AudienceCell]
    age_other: int | None
    cities: list[AudienceCell]
    city_other: int | None
    min_people: int = AUDIENCE_MIN_PEOPLE


def age_band(born: date | None, today: date) -> str:
    """The age band of someone born on `born`, on `today` ("not given" without a date of birth)."""
    if born is None:
        return "not given"
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < AGE_BANDS[0][0]:
        return f"under {AGE_BANDS[0][0]}"
    for low, high in AGE_BANDS:
        if high is None or age <= high:
            return _band_label(low, high)
    return "not given"  # pragma: no cover - the last band is open


def _band_label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}–{high}"


AGE_BAND_ORDER = [f"under {AGE_BANDS[0][0]}", *(_band_label(low, high) for low, high in AGE_BANDS), "not given"]


def _k_anonymous(counts: dict[str, int], order: list[str] | None = None) -> tuple[list[AudienceCell], int | None]:
    """The cells of at least AUDIENCE_MIN_PEOPLE people, and the rest merged (None under the threshold)."""
    shown = [AudienceCell(label, n) for label, n in counts.items() if n >= AUDIENCE_MIN_PEOPLE]
    if order is not None:
        shown.sort(key=lambda cell: order.index(cell.label))
    else:
        shown.sort(key=lambda cell: (-cell.people, cell.label))
    other = sum(n for n in counts.values() if n < AUDIENCE_MIN_PEOPLE)
    return shown, (other if other >= AUDIENCE_MIN_PEOPLE else None)


def period_audience(*, places: list[Place], start: date, today: date, now: datetime | None = None) -> Audience:
    """Age bands (age on `today`, from the profile's date of birth) and primary cities (as typed,
    case and spaces ignored) of the people who viewed any of the places in the period. One query:
    the viewers' two profile fields (one row per person), counted here."""
    viewer_ids = period_events(places=places, start=start, now=now).filter(IS_VIEW, user_id__isnull=False)
    profiles = (
        get_user_model()
        .objects.filter(pk__in=viewer_ids.values("user_id"))
        .values_list("date_of_birth", "primary_city")
    )
    by_age: Counter[str] = Counter()
    by_city: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for born, city in profiles:
        by_age[age_band(born, today)] += 1
        key = " ".join(city.split()).casefold() or "not given"
        by_city[key] += 1
        labels.setdefault(key, " ".join(city.split()) or "not given")
    age_bands, age_other = _k_anonymous(by_age, AGE_BAND_ORDER)
    cities, city_other = _k_anonymous(by_city)
    return Audience(
        viewers=sum(by_age.values()),
        age_bands=age_bands,
        age_other=age_other,
        cities=[AudienceCell(labels[cell.label], cell.people) for cell in cities],
        city_other=city_other,
    )


def location_cells(*, place_ids: list[int], start: date, end: date) -> list[dict]:
    """The roll-up's ~1 km cells of the places in the period, summed per cell (busiest first):
    south-west corner, size 0.01°, events, and users (distinct per place and day, summed).

    The cells are kept in the places' daily rows (`DailyPlaceStats.cells`); raw SQL unnests them."""
    sql = f"""
        SELECT (c.cell ->> 0)::int AS cell_lat, (c.cell ->> 1)::int AS cell_lng,
               sum((c.cell ->> 2)::int) AS events, sum((c.cell ->> 3)::int) AS users
        FROM {DailyPlaceStats._meta.db_table} s
        CROSS JOIN LATERAL jsonb_array_elements(s.cells) AS c(cell)
        WHERE s.place_id = ANY(%s) AND s.date >= %s AND s.date <= %s
        GROUP BY 1, 2
        ORDER BY 3 DESC, 1, 2
        LIMIT %s
    """  # nosec B608 # noqa: S608 - the table name comes from the model, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(place_ids), start, end, HEATMAP_MAX_CELLS])
        rows = cursor.fetchall()
    return [
        {"lat": cell_lat / 100, "lng": cell_lng / 100, "events": events, "users": users}
        for cell_lat, cell_lng, events, users in rows
    ]
