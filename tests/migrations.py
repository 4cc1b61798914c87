"""Tests' helper for data migrations: move the test database to a migration state and read that state's
models, then back to the latest state (the test database's own) before the test ends."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets, *, state_at=None):
    """Migrate to `targets`; answer the models as they were at `state_at` (by default the first target)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(state_at if state_at is not None else targets[0]).apps


def migrate_to_latest():
    """Migrate every app to its newest migration, where the rest of the suite expects the database."""
    return migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
