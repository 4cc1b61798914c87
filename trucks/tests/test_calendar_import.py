"""A vendor's own calendar into a place's dated stops: preview, import, re-sync, broken feeds, SSRF."""

import socket
import threading
from datetime import UTC, date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests import factories
from trucks.calendar_import import CalendarFeedError, calendar_fetch, calendar_preview, calendar_sync
from trucks.models import CalendarSubscription, ExceptionKind, ScheduleException, UpcomingStop
from trucks.tasks import sync_all_calendars

# Monday 2026-03-09 14:00 UTC: 09:00 in Chicago (CDT, UTC-5)
NOW = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)

WEEKLY = """BEGIN:VEVENT
UID:lunch@vendor
DTSTART;TZID=America/Chicago:20260302T110000
DTEND;TZID=America/Chicago:20260302T150000
RRULE:FREQ=WEEKLY;BYDAY=MO
EXDATE;TZID=America/Chicago:{exdate}
SUMMARY:Lunch at the park
LOCATION:Zilker Park
GEO:30.266;-97.773
END:VEVENT
"""
FESTIVAL = """BEGIN:VEVENT
UID:festival@vendor
DTSTART:{start}
DTEND:20260312T030000Z
SUMMARY:Night market
END:VEVENT
"""
ALL_DAY = """BEGIN:VEVENT
UID:holiday@vendor
DTSTART;VALUE=DATE:20260318
SUMMARY:Holiday
END:VEVENT
"""


def ics(*events: str) -> str:
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Vendor//EN\n" + "".join(events) + "END:VCALENDAR\n"


def feed(exdate: str = "20260316T110000", festival_start: str = "20260311T230000Z", extra: str = "") -> str:
    return ics(WEEKLY.format(exdate=exdate), FESTIVAL.format(start=festival_start), ALL_DAY, extra)


@pytest.fixture
def place(db):
    return factories.PlaceFactory(time_zone="America/Chicago", address="500 Congress Ave", lat=30.27, lng=-97.74)


@pytest.fixture
def subscription(place):
    return CalendarSubscription.objects.create(place=place, ics_text=feed())


def set_feed(subscription, text: str) -> None:
    """The vendor's calendar changes (the row, without touching what the sync recorded)."""
    CalendarSubscription.objects.filter(pk=subscription.pk).update(ics_text=text)


def exceptions(place) -> list[tuple]:
    return list(
        ScheduleException.objects.filter(place=place)
        .order_by("date")
        .values_list("date", "kind", "opens", "closes", "address", "note")
    )


PARK = (ExceptionKind.MOVED, time(11), time(15), "Zilker Park", "Lunch at the park")
MARKET = (ExceptionKind.SPECIAL_HOURS, time(18), time(22), "", "Night market")


def test_preview_lists_the_weekly_event_without_its_exdate_and_writes_nothing(subscription, place):
    # when
    reading = calendar_preview(subscription=subscription, now=NOW)

    # then Mondays from today for 16 days but not the 16th (EXDATE); the night market in Chicago time
    assert [(event.day, event.opens, event.closes, event.kind) for event in reading.events] == [
        (date(2026, 3, 9), time(11), time(15), ExceptionKind.MOVED),
        (date(2026, 3, 11), time(18), time(22), ExceptionKind.SPECIAL_HOURS),
        (date(2026, 3, 23), time(11), time(15), ExceptionKind.MOVED),
    ]
    assert reading.skipped == ["Holiday: all-day or without a time; not a stop."]
    assert ScheduleException.objects.count() == 0


def test_import_makes_dated_stops_once_and_a_resync_of_the_same_feed_changes_nothing(subscription, place):
    # when imported, then synced again
    first = calendar_sync(subscription_id=subscription.pk, now=NOW, first_import=True)
    again = calendar_sync(subscription_id=subscription.pk, now=NOW)

    # then
    assert exceptions(place) == [
        (date(2026, 3, 9), *PARK),
        (date(2026, 3, 11), *MARKET),
        (date(2026, 3, 23), *PARK),
    ]
    assert (first.created, first.updated, first.deleted) == (3, 0, 0)
    assert (again.created, again.updated, again.deleted, again.error) == (0, 0, 0, "")
    subscription.refresh_from_db()
    assert subscription.imported_at == NOW and subscription.last_synced_at == NOW
    # and search ahead sees the moved stop at the park, in UTC
    park = UpcomingStop.objects.get(place=place, starts_at=datetime(2026, 3, 23, 16, 0, tzinfo=UTC))
    assert (park.address, park.lat, park.lng, park.source) == ("Zilker Park", 30.266, -97.773, "moved")


def test_resync_updates_changed_events_and_removes_deleted_ones(subscription, place):
    calendar_sync(subscription_id=subscription.pk, now=NOW, first_import=True)
    market_id = ScheduleException.objects.get(place=place, date=date(2026, 3, 11)).pk

    # when the market starts an hour later, Monday the 23rd is excepted instead of the 16th
    set_feed(subscription, feed(exdate="20260323T110000", festival_start="20260312T000000Z"))
    result = calendar_sync(subscription_id=subscription.pk, now=NOW)

    # then the market row is updated in place, the 16th appears, the 23rd is gone
    assert exceptions(place) == [
        (date(2026, 3, 9), *PARK),
        (date(2026, 3, 11), ExceptionKind.SPECIAL_HOURS, time(19), time(22), "", "Night market"),
        (date(2026, 3, 16), *PARK),
    ]
    assert ScheduleException.objects.get(place=place, date=date(2026, 3, 11)).pk == market_id
    assert (result.created, result.updated, result.deleted) == (1, 1, 1)

    # and when the whole weekly event is removed from the calendar, its stops go too
    set_feed(subscription, ics(FESTIVAL.format(start="20260312T000000Z")))
    calendar_sync(subscription_id=subscription.pk, now=NOW)
    assert [row[0] for row in exceptions(place)] == [date(2026, 3, 11)]


def test_a_day_the_vendor_set_by_hand_is_never_overwritten(subscription, place):
    ScheduleException.objects.create(place=place, date=date(2026, 3, 9), kind=ExceptionKind.CLOSED)

    result = calendar_sync(subscription_id=subscription.pk, now=NOW, first_import=True)

    assert exceptions(place)[0] == (date(2026, 3, 9), ExceptionKind.CLOSED, None, None, "", "")
    assert result.skipped == 2  # that Monday, and the all-day holiday


@pytest.mark.parametrize(
    "broken",
    [
        "this is not a calendar",
        ics("BEGIN:VEVENT\nUID:x\nDTSTART:2026XX\nEND:VEVENT\n"),
        "BEGIN:VCALENDAR\n" + "X-PAD:" + "a" * 2_100_000 + "\nEND:VCALENDAR\n",
    ],
    ids=["not-ics", "bad-date", "too-large"],
)
def test_a_broken_feed_changes_nothing_and_is_reported(subscription, place, broken):
    # given an imported calendar
    calendar_sync(subscription_id=subscription.pk, now=NOW, first_import=True)
    before = exceptions(place)
    stops_before = UpcomingStop.objects.filter(place=place).count()

    # when the feed breaks
    set_feed(subscription, broken)
    later = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
    result = calendar_sync(subscription_id=subscription.pk, now=later)

    # then the stops are as they were, and the owner sees the error and when
    subscription.refresh_from_db()
    assert result.error and subscription.last_error == result.error
    assert (subscription.last_error_at, subscription.last_synced_at) == (later, NOW)
    assert exceptions(place) == before
    assert UpcomingStop.objects.filter(place=place).count() == stops_before


def test_nightly_job_syncs_only_imported_calendars(subscription, place, settings):
    other = CalendarSubscription.objects.create(place=factories.PlaceFactory(), ics_text=feed())
    calendar_sync(subscription_id=subscription.pk, first_import=True)
    ScheduleException.objects.filter(place=place).delete()

    assert sync_all_calendars() == 1

    assert ScheduleException.objects.filter(place=place).exists()
    assert not ScheduleException.objects.filter(place=other.place).exists()


# --- fetching by URL ---------------------------------------------------------------------------------


class _Feed(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes, dict]] = {}

    def do_GET(self):
        status, body, headers = self.routes.get(self.path, (404, b"", {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_feed_is_fetched_through_redirects_when_private_addresses_are_allowed(feed_server, place, settings):
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = True
    _Feed.routes = {
        "/old.ics": (302, b"", {"Location": "/cal.ics"}),
        "/cal.ics": (200, feed().encode(), {"Content-Type": "text/calendar"}),
    }
    subscription = CalendarSubscription.objects.create(place=place, url=f"{feed_server}/old.ics")

    result = calendar_sync(subscription_id=subscription.pk, now=NOW, first_import=True)

    assert (result.created, result.error) == (3, "")


def test_url_feed_http_error_is_reported(feed_server, place, settings):
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = True
    _Feed.routes = {}
    subscription = CalendarSubscription.objects.create(place=place, url=f"{feed_server}/gone.ics")

    result = calendar_sync(subscription_id=subscription.pk, now=NOW, first_import=True)

    subscription.refresh_from_db()
    assert result.error == subscription.last_error == "The calendar answered HTTP 404."
    assert subscription.imported_at is None and not ScheduleException.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/cal.ics", "The calendar address points to a private network; it cannot be fetched."),
        (
            "http://169.254.169.254/latest/meta-data",
            "The calendar address points to a private network; it cannot be fetched.",
        ),
        ("http://[::1]/cal.ics", "The calendar address points to a private network; it cannot be fetched."),
        ("http://10.0.0.8/cal.ics", "The calendar address points to a private network; it cannot be fetched."),
        ("file:///etc/passwd", "The calendar address must start with http:// or https://."),
        ("ftp://example.com/cal.ics", "The calendar address must start with http:// or https://."),
    ],
)
def test_url_feed_to_a_private_address_or_another_scheme_is_refused(settings, url, message):
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = False

    with pytest.raises(CalendarFeedError) as raised:
        calendar_fetch(url)

    assert str(raised.value) == message


def test_redirect_to_a_private_address_is_refused(feed_server, settings, monkeypatch):
    # the first hop is allowed (as if public), the redirect's target is checked again and refused
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = True
    _Feed.routes = {"/hop.ics": (302, b"", {"Location": "http://10.1.2.3/cal.ics"})}
    from trucks import calendar_import

    checked = []
    real_check = calendar_import._checked_address

    def check(url):
        checked.append(url)
        settings.CALENDAR_FETCH_ALLOW_PRIVATE = len(checked) == 1
        return real_check(url)

    monkeypatch.setattr(calendar_import, "_checked_address", check)

    with pytest.raises(CalendarFeedError, match="private network"):
        calendar_fetch(f"{feed_server}/hop.ics")
    assert checked == [f"{feed_server}/hop.ics", "http://10.1.2.3/cal.ics"]


def test_the_fetch_connects_to_the_address_it_checked_so_dns_cannot_rebind(feed_server, settings, monkeypatch):
    # The name answers a first time with the feed's address, then (a rebinding DNS server) with a private
    # one: the fetch must use the first answer, the one that was checked, and never ask again.
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = True
    _Feed.routes = {"/cal.ics": (200, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", {})}
    port = int(feed_server.rsplit(":", 1)[1])
    answers = iter(["127.0.0.1", "10.9.9.9"])
    asked = []
    real_getaddrinfo = socket.getaddrinfo

    def rebinding_getaddrinfo(host, *args, **kwargs):
        if host != "calendar.example.com":
            return real_getaddrinfo(host, *args, **kwargs)
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)

    content = calendar_fetch(f"http://calendar.example.com:{port}/cal.ics")

    assert content.startswith(b"BEGIN:VCALENDAR")
    assert asked == ["calendar.example.com"]


def test_the_feed_server_sees_the_urls_host_name(feed_server, settings, monkeypatch):
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = True
    seen = []

    class _Recording(_Feed):
        def do_GET(self):
            seen.append(self.headers["Host"])
            super().do_GET()

    _Feed.routes = {"/cal.ics": (200, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", {})}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recording)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "calendar.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    try:
        calendar_fetch(f"http://calendar.example.com:{port}/cal.ics")
    finally:
        server.shutdown()
        server.server_close()

    assert seen == [f"calendar.example.com:{port}"]


@pytest.fixture
def https_feed(tmp_path, monkeypatch, settings):
    """A feed over HTTPS at calendar.example.com (resolved to 127.0.0.1), its certificate from a CA of the
    test's own that the fetch is made to trust."""
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from trucks import calendar_import

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "calendar.example.com")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2100, 1, 1, tzinfo=UTC))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("calendar.example.com")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host.endswith(".example.com"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(calendar_import.certifi, "where", lambda: str(cert_file))
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = True
    _Feed.routes = {"/cal.ics": (200, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", {})}
    yield port
    server.shutdown()
    server.server_close()


def test_https_is_verified_against_the_urls_host_name_not_the_address(https_feed):
    assert calendar_fetch(f"https://calendar.example.com:{https_feed}/cal.ics").startswith(b"BEGIN:VCALENDAR")

    # the same server and certificate under another name: the certificate does not name it
    with pytest.raises(CalendarFeedError, match="could not be reached"):
        calendar_fetch(f"https://other.example.com:{https_feed}/cal.ics")
