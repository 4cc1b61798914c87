"""The read replica: reads there, writes and transactions on the primary, migrations on the primary only."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.db import connections

from accounts.models import User
from foodtrucks.db_router import PrimaryReplicaRouter
from trucks.models import Place


@pytest.fixture
def replica_configured(monkeypatch):
    monkeypatch.setitem(django_settings.DATABASES, "replica", {**django_settings.DATABASES["default"]})


def test_reads_when_a_replica_is_configured_go_to_the_replica(replica_configured):
    assert PrimaryReplicaRouter().db_for_read(Place) == "replica"


def test_reads_when_no_replica_is_configured_stay_on_the_primary():
    assert "replica" not in django_settings.DATABASES
    assert PrimaryReplicaRouter().db_for_read(Place) == "default"


def test_reads_inside_a_transaction_on_the_primary_stay_on_the_primary(replica_configured, monkeypatch):
    # a transaction may read what it has just written, which the replica has not seen yet
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)
    assert PrimaryReplicaRouter().db_for_read(Place) == "default"


def test_writes_always_go_to_the_primary(replica_configured):
    assert PrimaryReplicaRouter().db_for_write(User) == "default"


def test_relations_between_objects_from_either_alias_are_allowed():
    primary_user, replica_user = User(), User()
    primary_user._state.db, replica_user._state.db = "default", "replica"
    assert PrimaryReplicaRouter().allow_relation(primary_user, replica_user) is True


@pytest.mark.parametrize(("alias", "allowed"), [("default", True), ("replica", False)])
def test_migrations_run_on_the_primary_only(alias, allowed):
    assert PrimaryReplicaRouter().allow_migrate(alias, "trucks", model_name="place") is allowed


def _settings_with(env: dict) -> dict:
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({'aliases': sorted(settings.DATABASES), 'routers': settings.DATABASE_ROUTERS, "
        "'replica': settings.DATABASES.get('replica')}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.local", **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_settings_when_replica_url_is_set_add_the_alias_and_the_router():
    values = _settings_with(
        {
            "DATABASE_URL": "postgres://app@primary.internal:5432/foodtrucks",
            "DATABASE_REPLICA_URL": "postgres://app_ro@replica.internal:5432/foodtrucks",
        }
    )
    assert values["aliases"] == ["default", "replica"]
    assert values["routers"] == ["foodtrucks.db_router.PrimaryReplicaRouter"]
    replica = values["replica"]
    assert (replica["HOST"], replica["USER"], replica["NAME"]) == ("replica.internal", "app_ro", "foodtrucks")
    assert (replica["CONN_MAX_AGE"], replica["CONN_HEALTH_CHECKS"]) == (60, True)
    # the test runner mirrors the replica onto the test database instead of creating a second one
    assert replica["TEST"] == {"MIRROR": "default"}


def test_settings_when_replica_url_is_unset_have_no_replica_and_no_router():
    values = _settings_with({"DATABASE_URL": "postgres://app@primary.internal:5432/foodtrucks"})
    assert values == {"aliases": ["default"], "routers": [], "replica": None}
