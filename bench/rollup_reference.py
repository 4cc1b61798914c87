"""The roll-up's reference: one hand-written statement computing a local day's per-place stats the
obvious way (a zone conversion of every event), shared by bench/rollup.py and bench/national_day.py.

A bare SELECT whose rows all go to the client: wrapped in count(*), PostgreSQL would drop the unused
aggregates and time the GROUP BY alone. Parameters: lo, hi (the day's UTC window) and day.
"""

_HOURS = ", ".join(
    f"count(*) FILTER (WHERE e.type = 'VIEW' AND e.dwell_ms IS NULL "
    f"AND extract(hour FROM e.occurred_at AT TIME ZONE p.time_zone) = {h})"
    for h in range(24)
)

HAND_WRITTEN_STATS = f"""
    SELECT e.place_id,
           count(*) FILTER (WHERE e.type = 'VIEW' AND e.dwell_ms IS NULL),
           count(DISTINCT e.user_id) FILTER (WHERE e.type = 'VIEW' AND e.dwell_ms IS NULL),
           count(*) FILTER (WHERE e.type = 'CLICK'),
           count(*) FILTER (WHERE e.type = 'RATING'),
           count(DISTINCT e.user_id) FILTER (WHERE e.type = 'NEARBY_DETECTION'),
           avg(e.dwell_ms),
           jsonb_build_array({_HOURS})
    FROM analytics_userinteraction e JOIN trucks_place p ON p.id = e.place_id
    WHERE e.occurred_at >= %(lo)s AND e.occurred_at < %(hi)s
      AND (e.occurred_at AT TIME ZONE p.time_zone)::date = %(day)s
    GROUP BY e.place_id
"""  # nosec B608 - constants only
