"""The ground's shared task, and that a worker finds every task the code enqueues."""

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from foodtrucks.celery import app
from foodtrucks.tasks import stored_files_delete


@pytest.mark.django_db
def test_stored_files_delete_removes_the_named_files_and_a_retry_finds_nothing_to_fail_on():
    # given two stored files in the default storage
    names = [
        default_storage.save("photos/a.png", ContentFile(b"a")),
        default_storage.save("items/b.png", ContentFile(b"b")),
    ]

    # when the task runs, then runs again (a retry after a partial run, or a redelivered message)
    first = stored_files_delete.delay("default", names).get()
    second = stored_files_delete.delay("default", names).get()

    # then the files are gone and the second run did not fail
    assert (first, second) == (2, 2)
    assert [default_storage.exists(name) for name in names] == [False, False]


def test_every_task_is_in_a_module_a_worker_imports():
    # given what a worker imports: the app's `include` and each installed app's tasks module
    app.loader.import_default_modules()
    imported = set(app.conf.include) | {f"{config.name}.tasks" for config in apps.get_app_configs()}

    # then every task of ours lives in one of those modules
    ours = {name: type(task).__module__ for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert {"foodtrucks.stored_files_delete", "vendors.send_member_invite"} <= ours.keys()
    assert {name: module for name, module in ours.items() if module not in imported} == {}
