"""Raw interaction events and the daily statistics the nightly roll-up makes of them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trucks.models import coordinates_in_range


class InteractionType(models.TextChoices):
    VIEW = "VIEW", "View"
    CLICK = "CLICK", "Click"
    RATING = "RATING", "Rating"
    NEARBY_DETECTION = "NEARBY_DETECTION", "Nearby detection"


class UserInteraction(models.Model):
    """One raw event. `client_id` (made by the client, or by the server) stores a retry once.

    The table is partitioned by range on occurred_at, one partition per UTC day (analytics/partitions.py,
    migration 0007). PostgreSQL wants the partition key in every unique key, so the database's primary
    key is (id, occurred_at) and a client id is unique per (client_id, occurred_at): a retry repeats
    both, and the ingest also refuses a client id already stored within the API's acceptance window
    (analytics/ingest.py). Django addresses a row by `id` alone: the identity never repeats one.
    """

    id = models.BigAutoField(primary_key=True)
    client_id = models.UUIDField(default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place = models.ForeignKey("trucks.Place", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=InteractionType.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    dwell_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=coordinates_in_range(), name="interaction_coordinates_valid"),
            models.UniqueConstraint(fields=["client_id", "occurred_at"], name="interaction_client_once_per_time"),
        ]
        indexes = [
            # roll-up of one day and "today so far" of some places: events by place and time
            models.Index(fields=["place", "occurred_at"], name="interaction_place_time_idx"),
            # retention and day-at-a-time reads: events by time
            models.Index(fields=["occurred_at"], name="interaction_time_idx"),
        ]

    def __str__(self):
        return f"{self.type} {self.place_id} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class DailyPlaceStats(models.Model):
    """One place's figures for one local day (the place's own time zone)."""

    # No index of its own: the unique (place, date) leads with place (one index less to write).
    place = models.ForeignKey("trucks.Place", on_delete=models.CASCADE, related_name="daily_stats", db_index=False)
    date = models.DateField()
    views = models.PositiveIntegerField(default=0)
    unique_viewers = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    nearby_users = models.PositiveIntegerField(default=0)
    avg_dwell_ms = models.FloatField(null=True, blank=True)
    # 24 counts, index = local hour of day.
    views_by_hour = models.JSONField(default=list)
    # The heat map's ~1 km cells (0.01° of lat/lng) of the day's located events at this place, in the
    # place's row: one row written per place-day instead of one per cell (the roll-up's writes, with
    # their indexes and key checks, were its largest cost).
    cells = models.JSONField(
        default=list,
        blank=True,
        help_text="[cell_lat, cell_lng, events, users] per cell, cell_lat = floor(lat * 100), "
        "cell_lng = floor(lng * 100), users distinct; ordered by cell.",
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "place_id"]
        verbose_name_plural = "daily place stats"
        constraints = [
            models.UniqueConstraint(fields=["place", "date"], name="daily_stats_once_per_place_day"),
        ]
        indexes = [
            # the roll-up's conflict target is the unique constraint; this serves "a day, all places"
            models.Index(fields=["date"], name="daily_stats_date_idx"),
        ]

    def __str__(self):
        return f"{self.place_id} · {self.date}"


class RollupStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    # Still "running" past the roll-up's hard time limit: its worker is gone (killed, lost).
    ABANDONED = "abandoned", "Abandoned"


class RollupRun(models.Model):
    """One run of the roll-up of one day: what the operator's health view shows."""

    day = models.DateField()
    status = models.CharField(max_length=16, choices=RollupStatus.choices, default=RollupStatus.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    stats_rows = models.PositiveIntegerField(default=0)
    cell_rows = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["-started_at"], name="rollup_run_recent_idx", condition=Q(status="succeeded")),
            # the beat's "running past the hard limit" sweep and the health view's stuck days:
            # only the few unfinished or abandoned runs, by age
            models.Index(
                fields=["started_at"],
                name="rollup_run_unfinished_idx",
                condition=Q(status__in=["running", "abandoned"]),
            ),
        ]

    def __str__(self):
        return f"roll-up {self.day} ({self.status})"


class LateEventScan(models.Model):
    """Watermark of the nightly late-event check: events received before `scanned_until` were looked at.

    The next check reads only the events received since (BRIN index on received_at), so its cost
    is one day of uploads, whatever the acceptance window. The days it found late stay due until a
    run of the day that started after `scanned_until` succeeded (docs/analytics.md), so a re-roll
    that died, or was never run, is queued again.
    """

    scanned_until = models.DateTimeField()
    late_days = models.JSONField(
        default=list,
        blank=True,
        help_text="Days found to have late events; each stays due until a run started after this scan succeeds.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scanned_until", "-id"]
        get_latest_by = "scanned_until"

    def __str__(self):
        return f"late-event scan until {self.scanned_until:%Y-%m-%d %H:%M}"
