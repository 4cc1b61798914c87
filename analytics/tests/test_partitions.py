"""The raw events' day partitions: created ahead idempotently, dropped whole by retention, the
ingest's idempotency across them, and the migration that partitioned the table keeps every row."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from analytics import partitions, rollup
from analytics.ingest import ClientEvent, events_ingest
from analytics.models import RollupRun, RollupStatus, UserInteraction
from tests import factories
from tests.migrations import migrate_to, migrate_to_latest

NOW = datetime(2026, 11, 27, 11, 30, tzinfo=UTC)


def _partition_of(event_pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM analytics_userinteraction WHERE id = %s", [event_pk])
        return cursor.fetchone()[0]


def _days() -> list[date]:
    return [partition.day for partition in partitions.event_partitions()]


def test_partitions_are_created_ahead_once_however_often_the_job_runs(db, settings):
    # given: the API accepts events 7 days old; partitions a week ahead
    settings.ANALYTICS_EVENT_MAX_AGE_DAYS = 7
    settings.ANALYTICS_EVENT_PARTITIONS_AHEAD_DAYS = 7
    # when: the hourly job runs twice
    created = partitions.event_partitions_ahead(now=NOW)
    again = partitions.event_partitions_ahead(now=NOW + timedelta(hours=1))
    # then: every day from the oldest accepted one to a week ahead, made once
    wanted = [date(2026, 11, 19) + timedelta(days=offset) for offset in range(16)]
    assert set(wanted) <= set(_days())
    assert set(created) | {partitions.partition_name(day) for day in _days()} >= set(
        map(partitions.partition_name, wanted)
    )
    assert again == []


def test_a_new_partition_takes_its_days_events_from_the_default_partition(db):
    # given: an event of a day without a partition lands in the default partition
    event = factories.UserInteractionFactory(occurred_at=datetime(2025, 2, 3, 12, tzinfo=UTC))
    other = factories.UserInteractionFactory(occurred_at=datetime(2025, 2, 4, 12, tzinfo=UTC))
    assert _partition_of(event.pk) == "analytics_userinteraction_default"
    # when
    created = partitions.event_partitions_ensure(first=date(2025, 2, 3), last=date(2025, 2, 3))
    # then: the event moved, with its id and client id; the other day's stayed
    assert created == ["analytics_userinteraction_p20250203"]
    assert _partition_of(event.pk) == "analytics_userinteraction_p20250203"
    assert UserInteraction.objects.get(pk=event.pk).client_id == event.client_id
    assert _partition_of(other.pk) == "analytics_userinteraction_default"


def test_retention_drops_whole_rolled_up_days_and_nothing_else(db, settings):
    # given: retention 180 days (cutoff 2026-05-31); days May 10 to 12 partitioned, each with an event
    # at 16:00 UTC; May 11 and 12 (New York) rolled up, May 10 too; an old event of a day without
    # a partition; the straddling day of the bound kept.
    settings.ANALYTICS_RETENTION_DAYS = 180
    place = factories.PlaceFactory(time_zone="America/New_York")
    partitions.event_partitions_ensure(first=date(2026, 5, 10), last=date(2026, 5, 14))
    events = {
        day: factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 5, day, 16, tzinfo=UTC))
        for day in (10, 11, 12, 13, 14)
    }
    unpartitioned = factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 5, 1, 16, tzinfo=UTC))
    for day in range(1, 13):
        RollupRun.objects.create(day=date(2026, 5, day), status=RollupStatus.SUCCEEDED, started_at=NOW)
    # when: May 13 has no roll-up, so the bound is its earliest local midnight (May 13 03:00 UTC, margin incl.)
    result = rollup.events_purge_expired(now=NOW)
    # then: the partitions of May 10 to 12 are gone (whole), the default partition's old event deleted
    assert result.days_dropped == [date(2026, 5, 10), date(2026, 5, 11), date(2026, 5, 12)]
    assert result.rows_deleted == 1
    assert set(_days()) >= {date(2026, 5, 13), date(2026, 5, 14)}
    assert not set(_days()) & {date(2026, 5, 10), date(2026, 5, 11), date(2026, 5, 12)}
    remaining = set(UserInteraction.objects.values_list("pk", flat=True))
    assert remaining == {events[13].pk, events[14].pk}
    assert unpartitioned.pk not in remaining


def test_ingest_retry_is_a_duplicate_in_any_days_partition(consumer, place_a):
    # given: a batch spread over three days, each with its partition, uploaded once
    now = timezone.now()
    partitions.event_partitions_ensure(first=(now - timedelta(days=3)).date(), last=now.date())
    batch = [
        ClientEvent(client_id=uuid.uuid4(), place_id=place_a.pk, type="CLICK", occurred_at=now - timedelta(days=days))
        for days in (0, 1, 2)
    ]
    first = events_ingest(user_id=consumer.pk, events=batch)
    # when: the same batch again, and one client id again with another time inside the window
    retry = events_ingest(user_id=consumer.pk, events=batch)
    moved = events_ingest(
        user_id=consumer.pk,
        events=[ClientEvent(batch[0].client_id, place_a.pk, "CLICK", now - timedelta(days=2, hours=1))],
    )
    # then: stored once
    assert (first.accepted, retry.accepted, retry.duplicates, moved.accepted) == (3, 0, 3, 0)
    assert UserInteraction.objects.count() == 3
    assert len({_partition_of(pk) for pk in UserInteraction.objects.values_list("pk", flat=True)}) == 3


BEFORE = [("analytics", "0006_rollup_abandoned")]


@pytest.mark.django_db(transaction=True)
def test_partitioning_migration_keeps_every_event():
    # given: the plain table as the previous migration left it, with events over several days
    old = migrate_to(BEFORE)
    user = old.get_model("accounts", "User").objects.create(email="kept@example.com", password="x")
    vendor = old.get_model("vendors", "Vendor").objects.create(business_name="Kept Tacos")
    place = old.get_model("trucks", "Place").objects.create(vendor=vendor, name="Kept", time_zone="America/Chicago")
    Event = old.get_model("analytics", "UserInteraction")
    base = datetime(2024, 1, 30, 23, 59, 59, tzinfo=UTC)
    Event.objects.bulk_create(
        Event(
            client_id=uuid.uuid4(),
            user=user if n % 2 else None,
            place=place,
            type="VIEW",
            occurred_at=base + timedelta(hours=7 * n),
            received_at=base + timedelta(hours=7 * n, seconds=1),
            lat=41.88 if n % 3 else None,
            lng=-87.63 if n % 3 else None,
            dwell_ms=n * 100 if n % 4 else None,
        )
        for n in range(40)
    )
    fields = ("id", "client_id", "user_id", "place_id", "type", "occurred_at", "received_at", "lat", "lng", "dwell_ms")
    before = set(Event.objects.values_list(*fields))
    # when
    migrate_to_latest()
    # then: every row is there, unchanged, each in its UTC day's partition; new ids follow the old ones
    assert set(UserInteraction.objects.values_list(*fields)) == before
    for pk, occurred_at in UserInteraction.objects.values_list("id", "occurred_at"):
        assert _partition_of(pk) == f"analytics_userinteraction_p{occurred_at.astimezone(UTC):%Y%m%d}"
    new = factories.UserInteractionFactory(place_id=place.pk, user=None)
    assert new.pk > max(row[0] for row in before)
