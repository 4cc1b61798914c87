"""Tasks shared by the domain apps (the ground layer: no domain rule lives here)."""

from botocore.exceptions import BotoCoreError, ClientError
from celery import shared_task
from django.core.files.storage import storages


@shared_task(
    name="foodtrucks.stored_files_delete",
    autoretry_for=(OSError, BotoCoreError, ClientError),
    retry_backoff=True,
    max_retries=5,
)
def stored_files_delete(storage_alias: str, names: list[str]) -> int:
    """Delete stored files whose rows are gone; services enqueue it on commit, never before the delete.

    Takes the STORAGES alias, not a storage object, so a worker opens the same storage by name.
    Idempotent: deleting a file that is already gone is no error (local disk and S3 alike), so a retry
    after a partial run is harmless.
    """
    storage = storages[storage_alias]
    for name in names:
        storage.delete(name)
    return len(names)
