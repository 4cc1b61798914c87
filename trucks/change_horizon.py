"""The change log's horizon as one SQL expression (trucks.catch_up explains it), apart so that the
statements that read a version inline (trucks.search's nearby page) share it without importing the feed."""

# The session's application_name while a transaction promises to write no place (SET LOCAL: it ends
# with the transaction, after the transaction's xid has left the running set).
NO_PLACE_CHANGES_APPLICATION_NAME = "foodtrucks:no-place-changes"
# The horizon as one scalar expression. pg_stat_activity lists every backend's xid and database to
# every role; an in-progress xid it does not show (a prepared transaction, a backend that just
# ended) is kept, which only holds the horizon back.
HORIZON_EXPRESSION = f"""(
    WITH snapshot AS MATERIALIZED (SELECT pg_current_snapshot() AS snap)
    SELECT COALESCE(
        (SELECT min(running) FROM snapshot, pg_snapshot_xip(snapshot.snap) AS running
         WHERE running::xid NOT IN (
             SELECT activity.backend_xid FROM pg_stat_activity AS activity
             WHERE activity.backend_xid IS NOT NULL
               AND (activity.datname <> current_database()
                    OR activity.application_name = '{NO_PLACE_CHANGES_APPLICATION_NAME}'))),
        (SELECT pg_snapshot_xmax(snap) FROM snapshot)
    )::text::bigint
)"""  # nosec B608 # noqa: S608 - constants only
