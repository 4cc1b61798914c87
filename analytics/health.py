"""The operator's view of the roll-up: GET /healthz/analytics (JSON, no login, no secrets)."""

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from analytics.models import RollupRun, RollupStatus
from analytics.rollup import days_stuck, newest_complete_day, zones_in_use


def _run(run: RollupRun | None) -> dict | None:
    if run is None:
        return None
    return {
        "day": run.day.isoformat(),
        "status": run.status,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "stats_rows": run.stats_rows,
        "cell_rows": run.cell_rows,
        "duration_ms": run.duration_ms,
        "error": run.error or None,
    }


@require_GET
def analytics_health(request):
    """200 when the newest complete local day (or the day before, until tonight's run) is rolled up
    and no day is stuck (a run past its hard time limit, or abandoned, not yet redone), else 503."""
    now = timezone.now()
    last_succeeded = RollupRun.objects.filter(status=RollupStatus.SUCCEEDED).order_by("-started_at").first()
    last_run = RollupRun.objects.order_by("-started_at", "-id").first()
    newest_rolled_day = (
        RollupRun.objects.filter(status=RollupStatus.SUCCEEDED).order_by("-day").values_list("day", flat=True).first()
    )
    expected = newest_complete_day(now=now, zones=zones_in_use())
    # The nightly run may not have happened yet today: one day behind is still healthy.
    fresh = newest_rolled_day is not None and (expected - newest_rolled_day).days <= 1
    # A day whose worker died is wrong (or missing) until it is rolled up again.
    stuck = days_stuck(now=now)
    healthy = fresh and not stuck
    body = {
        "status": "ok" if healthy else "stale" if not fresh else "degraded",
        "newest_complete_day": expected.isoformat(),
        "newest_rolled_up_day": newest_rolled_day.isoformat() if newest_rolled_day else None,
        "stuck_days": [day.isoformat() for day in stuck],
        "last_succeeded_run": _run(last_succeeded),
        "last_run": _run(last_run),
    }
    return JsonResponse(body, status=200 if healthy else 503)
