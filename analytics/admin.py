"""Read-only admin for analytics: staff can look at events, daily figures and roll-up runs.

The raw-event table holds millions of rows: its changelist orders by the primary key, never asks
for the full count, estimates the page count from PostgreSQL's statistics when unfiltered, and
shows foreign keys without loading the related tables' choices.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

from analytics.models import DailyPlaceStats, LateEventScan, RollupRun, UserInteraction

# Below this many rows an exact count is cheap enough.
EXACT_COUNT_LIMIT = 100_000


class EstimatedCountPaginator(Paginator):
    """Exact count for filtered or small tables; the planner's estimate for a huge unfiltered one."""

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if not queryset.query.where:
            with connection.cursor() as cursor:
                # A partitioned table (the raw events) has no statistics of its own: its partitions' sum.
                cursor.execute(
                    "SELECT coalesce(sum(greatest(c.reltuples, 0)), -1)::bigint FROM pg_class c "
                    "WHERE c.oid = %s::regclass AND c.relkind = 'r' OR c.oid IN "
                    "(SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)",
                    [queryset.model._meta.db_table] * 2,
                )
                row = cursor.fetchone()
            estimate = row[0] if row else -1
            if estimate > EXACT_COUNT_LIMIT:
                return estimate
        return super().count


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by staff; written only by the API, the roll-up and the retention job."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UserInteraction)
class UserInteractionAdmin(ReadOnlyAdmin):
    list_display = ("id", "occurred_at", "type", "place", "user", "lat", "lng", "dwell_ms", "received_at")
    list_select_related = ("place", "user")
    list_filter = ("type", ("occurred_at", admin.DateFieldListFilter))
    # Exact lookups only: an id or a client UUID is answered by an index.
    search_fields = ("=id", "=client_id", "=place__id", "=user__email")
    raw_id_fields = ("user", "place")
    ordering = ("-id",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50


@admin.register(DailyPlaceStats)
class DailyPlaceStatsAdmin(ReadOnlyAdmin):
    list_display = (
        "date",
        "place",
        "views",
        "unique_viewers",
        "clicks",
        "ratings",
        "nearby_users",
        "avg_dwell_ms",
        "computed_at",
    )
    list_select_related = ("place",)
    search_fields = ("=place__id", "place__name")
    raw_id_fields = ("place",)
    # Fixed ranges (today, past 7 days, this month...): date_hierarchy would scan the table for years.
    list_filter = (("date", admin.DateFieldListFilter),)
    ordering = ("-date", "place_id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyAdmin):
    list_display = ("day", "status", "started_at", "finished_at", "stats_rows", "cell_rows", "duration_ms")
    list_filter = ("status",)
    date_hierarchy = "started_at"
    ordering = ("-started_at", "-id")


@admin.register(LateEventScan)
class LateEventScanAdmin(ReadOnlyAdmin):
    list_display = ("scanned_until", "late_days", "created_at")
    ordering = ("-scanned_until", "-id")
