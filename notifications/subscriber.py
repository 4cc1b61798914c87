"""The change bus's subscriber for followers' alerts (registered in notifications.apps).

It runs in the committing process right after commit, so it only enqueues: the fan-out is a Celery
task keyed on the change's id (a retried task notifies nobody twice).
"""

from notifications.tasks import fan_out_place_change
from trucks.changes import ChangeKind, PlaceChange

# The changes a follower can be alerted about: the vendor opening (not the stale switch closing),
# and today's schedule changing (a stop announced for today).
ALERTING_KINDS = {ChangeKind.OPENED, ChangeKind.SCHEDULE_CHANGED}


def place_change_to_alerts(change: PlaceChange) -> None:
    if change.kind not in ALERTING_KINDS:
        return
    if change.kind == ChangeKind.OPENED and (change.lat is None or change.lng is None):
        return  # "opened near you" needs a position
    fan_out_place_change.delay(
        change_id=change.change_id,
        kind=str(change.kind),
        place_id=change.place_id,
        lat=change.lat,
        lng=change.lng,
        at=change.at.isoformat(),
    )
