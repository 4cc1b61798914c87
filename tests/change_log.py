"""Tests' helper for the change log: wait until what was written is below the horizon.

The horizon (trucks.catch_up) is the oldest transaction of this database still running: other
sessions on it (a worker's, a thread's) may hold it back for a moment after our commit. A test that
expects its writes in the feed or in a version waits for them here instead of racing.
"""

import time

from django.db import connection

from trucks.catch_up import change_log_horizon


def wait_until_settled(timeout: float = 60.0) -> None:
    """Return once every change-log record written so far is below the horizon."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(xid), 0) FROM trucks_placechangerecord")
        newest = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while change_log_horizon() <= newest:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the horizon stayed at or below xid {newest} for {timeout} s: a long transaction elsewhere?"
            )
        time.sleep(0.02)
