"""Reads to the PostgreSQL read replica, everything else to the primary (DATABASE_REPLICA_URL)."""

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"


class PrimaryReplicaRouter:
    """Installed only when a replica is configured (settings: DATABASE_REPLICA_URL).

    A read inside an open transaction on the primary stays on the primary: the transaction may have
    just written what it reads, and the replica lags. ``select_for_update()`` querysets are writes
    for routing purposes, so they go to the primary too.
    """

    def db_for_read(self, model, **hints):
        if REPLICA not in settings.DATABASES or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary through replication, never through migrations.
        return db == PRIMARY
