"""The catch-up feed, GET /api/v1/places/changes/?since=<cursor>.

transaction=True throughout: the feed hands out only records of transactions that have ended,
so a test wrapped in one open transaction would never see its own writes.
"""

import threading
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.change_log import wait_until_settled
from trucks.catch_up import change_log_horizon, change_log_prune, declare_no_place_changes
from trucks.models import LocationSource, Place, PlaceChangeLogHorizon, PlaceChangeRecord
from trucks.search import CARD_KEYS
from trucks.services import item_set_availability, place_check_in, place_delete, place_update
from trucks.tasks import prune_change_log

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("api-places-changes")


def _cursor(api_client) -> str:
    """An up-to-date app's cursor: once what was written so far (the test's setup) is below the horizon."""
    wait_until_settled()
    response = api_client.get(URL)
    assert response.status_code == 200
    assert response.json()["places"] == [] and response.json()["removed"] == []
    return response.json()["next_cursor"]


def _feed(api_client, since: str, *, settle: bool = True, **params) -> dict:
    if settle:  # other sessions of the shared test server hold the horizon back for a moment
        wait_until_settled()
    response = api_client.get(URL, {"since": since, **params})
    assert response.status_code == 200, response.content
    return response.json()


def _check_in(place: Place, *, lat: float, lng: float = -97.74, is_open: bool = True) -> None:
    place_check_in(place=place, lat=lat, lng=lng, is_open=is_open, source=LocationSource.API)


def test_a_transaction_that_commits_after_a_later_one_is_never_skipped(api_client):
    # given two trucks and the cursor of an app that is up to date
    place_a, place_b = factories.PlaceFactory(), factories.PlaceFactory(lat=47.61, lng=-122.33)
    since = _cursor(api_client)
    a_written, b_written, commit_a, commit_b = (threading.Event() for _ in range(4))
    failures = []

    def check_in_in_transaction(place, lat, lng, written, commit):
        try:
            with transaction.atomic():
                _check_in(Place.objects.get(pk=place.pk), lat=lat, lng=lng)
                written.set()
                assert commit.wait(10)
        except Exception as error:  # reported to the test below
            failures.append(error)
            written.set()
        finally:
            connection.close()

    # when A (in Austin) begins and writes, then B (in Seattle) begins, writes and commits first; two
    # check-ins in one region would wait on each other's map cells (trucks.map_lattice) until commit
    thread_a = threading.Thread(target=check_in_in_transaction, args=(place_a, 30.1, -97.74, a_written, commit_a))
    thread_b = threading.Thread(target=check_in_in_transaction, args=(place_b, 47.6, -122.3, b_written, commit_b))
    thread_a.start()
    assert a_written.wait(10)
    thread_b.start()
    assert b_written.wait(10)
    commit_b.set()
    thread_b.join(10)
    while_a_is_open = _feed(api_client, since, settle=False)
    # then the feed waits for A: B is not handed out past A (its cursor would skip A)
    assert while_a_is_open["places"] == [] and while_a_is_open["has_more"] is False

    # when A commits and the app reads on from the cursor it was given
    commit_a.set()
    thread_a.join(10)
    after = _feed(api_client, while_a_is_open["next_cursor"])
    # then both are there, A (the older transaction) first
    assert not failures
    assert [card["id"] for card in after["places"]] == [place_a.pk, place_b.pk]
    assert [card["lat"] for card in after["places"]] == [30.1, 47.6]
    # and from the next cursor nothing is repeated
    assert _feed(api_client, after["next_cursor"])["places"] == []


@pytest.fixture
def open_transaction():
    """Opens a transaction on another connection, gives it an xid and keeps it running until the test ends."""
    opened = []

    def open_on(database: str, *, no_place_changes: bool = False):
        settings_dict = {**connection.settings_dict, "NAME": database}
        raw = psycopg.connect(
            host=settings_dict["HOST"] or None,
            port=settings_dict["PORT"] or None,
            user=settings_dict["USER"],
            password=settings_dict["PASSWORD"] or None,
            dbname=database,
        )
        opened.append(raw)
        cursor = raw.cursor()
        if no_place_changes:
            declare_no_place_changes(cursor)
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")  # takes an xid, as a first write does
        return cursor.fetchone()[0]

    yield open_on
    for raw in opened:
        raw.rollback()
        raw.close()


def test_a_long_transaction_in_another_database_does_not_hold_the_feed_back(api_client, open_transaction):
    # given an app that is up to date, and a transaction left open in another database of the server
    place = factories.PlaceFactory()
    since = _cursor(api_client)
    other = open_transaction("postgres")

    # when the truck checks in
    _check_in(place, lat=30.2)

    # then the feed hands it out at once, although the other database's transaction is older
    changes = _feed(api_client, since, settle=False)
    assert [card["id"] for card in changes["places"]] == [place.pk]
    assert change_log_horizon() > other


def test_a_transaction_that_declared_it_writes_no_place_does_not_hold_the_feed_back(api_client, open_transaction):
    # given a roll-up-like transaction open in this very database, declared as writing no place
    place = factories.PlaceFactory()
    since = _cursor(api_client)
    rollup = open_transaction(connection.settings_dict["NAME"], no_place_changes=True)

    _check_in(place, lat=30.2)

    assert [card["id"] for card in _feed(api_client, since, settle=False)["places"]] == [place.pk]
    assert change_log_horizon() > rollup


def test_an_undeclared_open_transaction_in_this_database_still_holds_the_horizon(open_transaction):
    # it might write a place before it ends: the feed must wait for it
    running = open_transaction(connection.settings_dict["NAME"])

    assert change_log_horizon() <= running


def test_changed_places_come_once_as_current_cards_and_those_that_left_as_removed_ids(api_client):
    # given five places, one with a menu item
    checked_in, renamed, hidden, deleted, selling = (factories.PlaceFactory() for _ in range(5))
    menu = factories.MenuFactory(vendor=selling.vendor)
    menu.places.set([selling])
    item = factories.MenuItemFactory(menu=menu)
    deleted_id = deleted.pk
    since = _cursor(api_client)
    # when each changes, through the services
    _check_in(checked_in, lat=30.1)
    place_update(place=renamed, data={"name": "Renamed Tacos"})
    _check_in(checked_in, lat=30.3, is_open=False)  # changed twice: listed once, as it is now
    Place.objects.filter(pk=hidden.pk).update(is_active=False)  # bypassing the services: the trigger logs it
    place_delete(place=deleted)
    item_set_availability(item=item, is_available=False)
    page = _feed(api_client, since)
    # then the places still shown come as current cards, oldest last change first; the others as ids
    assert [card["id"] for card in page["places"]] == [renamed.pk, checked_in.pk, selling.pk]
    assert sorted(page["removed"]) == sorted([hidden.pk, deleted_id])
    cards = {card["id"]: card for card in page["places"]}
    assert cards[checked_in.pk]["lat"] == 30.3 and cards[checked_in.pk]["is_open"] is False
    assert cards[renamed.pk]["name"] == "Renamed Tacos"
    assert set(cards[renamed.pk]) == set(CARD_KEYS)  # the search's card shape
    assert page["has_more"] is False


def test_pages_follow_the_cursor_and_give_every_change_once_in_order(api_client):
    # given five places changed one after the other
    places = [factories.PlaceFactory() for _ in range(5)]
    since = _cursor(api_client)
    for place in places:
        _check_in(place, lat=30.5)
    # when the app reads them two at a time
    seen, has_more, pages = [], True, 0
    while has_more:
        page = _feed(api_client, since, limit=2)
        seen += [card["id"] for card in page["places"]]
        since, has_more, pages = page["next_cursor"], page["has_more"], pages + 1
    # then each came once, in the order of the changes, over three pages
    assert seen == [place.pk for place in places]
    assert pages == 3
    # and a change made now comes next, alone
    _check_in(places[1], lat=30.6)
    assert [card["id"] for card in _feed(api_client, since)["places"]] == [places[1].pk]


def test_hours_menus_and_vendor_name_changes_are_logged_by_the_triggers(api_client):
    # given a place with a menu item
    place = factories.PlaceFactory()
    menu = factories.MenuFactory(vendor=place.vendor)
    menu.places.set([place])
    item = factories.MenuItemFactory(menu=menu)
    for change in (
        lambda: factories.OpeningHoursFactory(place=place),
        lambda: type(item).objects.filter(pk=item.pk).update(price="12.00"),
        lambda: type(place.vendor).objects.filter(pk=place.vendor_id).update(business_name="New name"),
    ):
        since = _cursor(api_client)
        # when the row changes, by any writer
        change()
        # then the place is listed
        assert [card["id"] for card in _feed(api_client, since)["places"]] == [place.pk]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"since": "yesterday"}, "since"),
        ({"since": "1.2.3"}, "since"),
        ({"since": "-1.0"}, "since"),
        ({"since": "99999999999999999999.0"}, "since"),
        ({"since": "1.0", "limit": 0}, "limit"),
        ({"since": "1.0", "limit": "many"}, "limit"),
    ],
)
def test_a_malformed_cursor_or_limit_is_a_400_naming_the_field(api_client, params, field):
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_limit_out_of_range_is_a_400(api_client):
    response = api_client.get(URL, {"since": "1.0", "limit": 10_000})
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]


def test_a_cursor_older_than_the_kept_log_answers_410_resync(api_client):
    # given an app's cursor, then a change that the pruning removes a week later
    place = factories.PlaceFactory()
    since = _cursor(api_client)
    _check_in(place, lat=30.1)
    PlaceChangeRecord.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert change_log_prune(now=timezone.now()) >= 1
    # when the app comes back with its old cursor
    response = api_client.get(URL, {"since": since})
    # then it is told to resync; a fresh cursor works
    assert response.status_code == 410
    assert response.json()["resync"] is True and response.json()["errors"] == {}
    assert _feed(api_client, _cursor(api_client))["places"] == []
    # and pruning again is idempotent (nothing more to remove, the cursor stays refused)
    assert prune_change_log() == 0  # the beat task itself, run in this process
    assert api_client.get(URL, {"since": since}).status_code == 410


def test_a_cursor_ahead_of_the_server_answers_410(api_client):
    response = api_client.get(URL, {"since": "999999999999.0"})
    assert response.status_code == 410
    assert response.json()["resync"] is True


def test_a_rolled_back_change_is_not_listed(api_client):
    place = factories.PlaceFactory()
    since = _cursor(api_client)
    with pytest.raises(RuntimeError), transaction.atomic():
        _check_in(place, lat=30.9)
        raise RuntimeError("the request failed")
    assert _feed(api_client, since)["places"] == []


def test_a_fresh_cursor_is_never_below_what_was_pruned_even_when_the_horizon_lags(api_client):
    # given pruning that removed records above the horizon (a long transaction holds it back)
    horizon = change_log_horizon()
    PlaceChangeLogHorizon.objects.update_or_create(pk=1, defaults={"pruned_xid": horizon + 1_000_000, "pruned_id": 7})
    # when an app starts, then follows its cursor
    start = _cursor(api_client)
    page = _feed(api_client, start)
    # then it starts at the pruned position, is not refused, and never steps back
    assert start == f"{horizon + 1_000_000}.7"
    assert page["next_cursor"] == start and page["places"] == []
