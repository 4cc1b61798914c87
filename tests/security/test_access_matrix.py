"""Access control across the whole app: every API endpoint and every portal URL × every role.

The objects belong to vendor A (place, menu, item, certificate, member) and to consumer X (favorite,
rating). The table below says what each role gets; no cross-vendor or cross-user read or write
passes. A URL the table does not cover fails the completeness test, so the table stays whole.
"""

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from notifications.models import Device, Notification, SavedPlace
from tests import factories
from trucks.models import Photo, ScheduleException
from vendors.models import Role, VendorMember

ROLES = ("anonymous", "consumer_x", "consumer_y", "owner_a", "manager_a", "staff_a", "owner_b", "admin")
LOGIN = "login"  # the portal sends an anonymous visitor to its login page
ADMIN_LOGIN = "admin-login"  # the admin sends anyone but staff to its own login page


def _codes(anonymous, consumer_x, consumer_y, owner_a, manager_a, staff_a, owner_b, admin) -> dict:
    return dict(
        zip(ROLES, (anonymous, consumer_x, consumer_y, owner_a, manager_a, staff_a, owner_b, admin), strict=True)
    )


def _all(code) -> dict:
    return dict.fromkeys(ROLES, code)


def _members(owner_a, manager_a, staff_a, owner_b, *, admin=403) -> dict:
    """A portal page: consumers are told they are no vendor (403), anonymous visitors go to the login."""
    return _codes(LOGIN, 403, 403, owner_a, manager_a, staff_a, owner_b, admin)


# --- the world: vendor A with one of everything, consumer X with a favorite and a rating ---------------


@pytest.fixture
def world(db, vendor_a, owner_a, manager_a, staff_a, owner_b, place_a, place_b, consumer, staff_user):
    consumer_y = factories.UserFactory(email="consumer-y@example.com")
    menu = factories.MenuFactory(vendor=vendor_a, name="Lunch")
    menu.places.set([place_a])
    item = factories.MenuItemFactory(menu=menu, name="Al pastor")
    factories.MenuItemFactory(menu=menu, name="Horchata")
    photo = Photo.objects.create(place=place_a, image="places/a.png", position=0)
    exception = ScheduleException.objects.create(place=place_a, date=date(2030, 1, 1), kind="closed")
    return _World(
        users={
            "anonymous": None,
            "consumer_x": consumer,
            "consumer_y": consumer_y,
            "owner_a": owner_a,
            "manager_a": manager_a,
            "staff_a": staff_a,
            "owner_b": owner_b,
            "admin": staff_user,
        },
        vendor=vendor_a,
        place=place_a,
        place_b=place_b,
        menu=menu,
        item=item,
        photo=photo,
        exception=exception,
        member=VendorMember.objects.get(user=staff_a, vendor=vendor_a),
        favorite=factories.FavoritePlaceFactory(user=consumer, place=place_a),
        rating=factories.RatingFactory(user=consumer, place=place_a),
        saved_place=SavedPlace.objects.create(user=consumer, name="Home", lat=30.3, lng=-97.7),
        notification=Notification.objects.create(
            user=consumer, place=place_a, change_id="6f1c2a3e-0000-4000-8000-000000000001", kind="opened_nearby"
        ),
        device=Device.objects.create(user=consumer, kind="fcm", token="x-phone-token"),
    )


class _World(dict):
    """The rows; the certificate (an upload to the local S3) is made only by the rows that use it."""

    def __init__(self, **rows):
        super().__init__(rows)

    def __missing__(self, key):
        if key != "certificate":
            raise KeyError(key)
        self[key] = factories.BusinessCertificateFactory(vendor=self["vendor"])
        return self[key]


def _place(w):
    return {"pk": w["place"].pk}


# --- the API table: url name -> [(method, kwargs, body, {role: status})] -------------------------------

_PUBLIC_READ = _all(200)
_SIGNED_IN = {**_all(200), "anonymous": 401}

API = {
    "api-register": [
        ("post", None, lambda w: {}, _all(400)),  # open to all; an empty body is refused field by field
    ],
    "api-token": [("post", None, lambda w: {}, _all(400))],
    "api-logout": [("post", None, None, {**_all(204), "anonymous": 401})],
    "api-me": [
        ("get", None, None, _SIGNED_IN),
        ("patch", None, lambda w: {"first_name": "Renamed"}, _SIGNED_IN),
    ],
    "api-favorites": [
        ("get", None, None, _SIGNED_IN),
        ("post", None, lambda w: {"place": w["place_b"].pk}, {**_all(201), "anonymous": 401}),
    ],
    # Only X has the favorite: everyone else's DELETE finds nothing of theirs (404) and X's stays.
    "api-favorite-detail": [
        ("delete", lambda w: {"place_id": w["place"].pk}, None, {**_all(404), "anonymous": 401, "consumer_x": 204}),
    ],
    "api-recently-viewed": [("get", None, None, _SIGNED_IN)],
    "api-favorite-categories": [
        ("get", None, None, _SIGNED_IN),
        ("put", None, lambda w: {"categories": []}, _SIGNED_IN),
    ],
    # Followers' alerts: each signed-in user has their own; only X has the saved place, alert and device.
    "api-alert-preferences": [
        ("get", None, None, _SIGNED_IN),
        ("put", None, lambda w: {"radius_km": 3}, _SIGNED_IN),
    ],
    "api-location": [("put", None, lambda w: {"lat": 30.2, "lng": -97.7}, _SIGNED_IN)],
    "api-saved-places": [
        ("get", None, None, _SIGNED_IN),
        ("post", None, lambda w: {"name": "Work", "lat": 30.2, "lng": -97.7}, {**_all(201), "anonymous": 401}),
    ],
    "api-saved-place-detail": [
        (
            "put",
            lambda w: {"saved_place_id": w["saved_place"].pk},
            lambda w: {"name": "Moved", "lat": 30.1, "lng": -97.6},
            {**_all(404), "anonymous": 401, "consumer_x": 200},
        ),
        (
            "delete",
            lambda w: {"saved_place_id": w["saved_place"].pk},
            None,
            {**_all(404), "anonymous": 401, "consumer_x": 204},
        ),
    ],
    "api-notifications": [("get", None, None, _SIGNED_IN)],
    "api-notifications-unread-count": [("get", None, None, _SIGNED_IN)],
    "api-notifications-read-all": [("post", None, None, _SIGNED_IN)],
    "api-notification-read": [
        (
            "post",
            lambda w: {"notification_id": w["notification"].pk},
            None,
            {**_all(404), "anonymous": 401, "consumer_x": 200},
        ),
    ],
    "api-devices": [
        ("post", None, lambda w: {"kind": "apns", "token": "a-new-token"}, {**_all(201), "anonymous": 401}),
    ],
    "api-device-detail": [
        ("delete", lambda w: {"device_id": w["device"].pk}, None, {**_all(404), "anonymous": 401, "consumer_x": 204}),
    ],
    "api-places": [("get", None, None, _PUBLIC_READ)],
    "api-places-top": [("get", None, lambda w: {"city": "Austin"}, _PUBLIC_READ)],
    "api-places-map": [("get", None, lambda w: {"bbox": "25,-107,37,-93"}, _PUBLIC_READ)],
    "api-place-detail": [("get", lambda w: {"place_id": w["place"].pk}, None, _PUBLIC_READ)],
    "api-place-calendar": [("get", lambda w: {"place_id": w["place"].pk}, None, _PUBLIC_READ)],
    "api-places-changes": [("get", None, None, _PUBLIC_READ)],
    # The live streams (the answer's status; the stream itself is proven in live/tests/test_streams_asgi.py).
    "api-live-places": [("get", None, lambda w: {"bbox": "25,-107,37,-93"}, _PUBLIC_READ)],
    "api-live-favorites": [("get", None, None, _SIGNED_IN)],
    "api-categories": [("get", None, None, _PUBLIC_READ)],
    # Any member of vendor A checks its truck in; nobody else can move it.
    "api-vendor-place-check-in": [
        (
            "post",
            lambda w: {"place_id": w["place"].pk},
            lambda w: {"lat": 30.1, "lng": -97.1, "is_open": True},
            _codes(401, 404, 404, 200, 200, 200, 404, 404),
        )
    ],
    "api-place-ratings": [
        ("get", lambda w: {"place_id": w["place"].pk}, None, _PUBLIC_READ),
        (
            "post",
            lambda w: {"place_id": w["place"].pk},
            lambda w: {"stars": "3.5", "review": "Fine."},
            # X already rated: the second post updates X's own rating (200); others create theirs.
            {**_all(201), "anonymous": 401, "consumer_x": 200},
        ),
    ],
    # Only the author changes or deletes a rating.
    "api-rating-detail": [
        (
            "patch",
            lambda w: {"rating_id": w["rating"].pk},
            lambda w: {"review": "Changed."},
            {**_all(404), "anonymous": 401, "consumer_x": 200},
        ),
        ("delete", lambda w: {"rating_id": w["rating"].pk}, None, {**_all(404), "anonymous": 401, "consumer_x": 204}),
    ],
    "api-vendor-detail": [("get", lambda w: {"vendor_id": w["vendor"].pk}, None, _PUBLIC_READ)],
    "events-batch": [("post", None, lambda w: {"events": []}, {**_all(400), "anonymous": 401})],
    "api-schema": [("get", None, None, _PUBLIC_READ)],
    "api-docs": [("get", None, None, _PUBLIC_READ)],
}

# --- the portal table: url name -> [(method, kwargs, POST data, {role: status})] ------------------------

PORTAL = {
    "dashboard": [("get", None, None, _members(200, 200, 200, 200))],
    "login": [("get", None, None, {**_all(302), "anonymous": 200})],  # signed-in visitors go on
    "logout": [("post", None, {}, _all(302))],
    # public sign-up; signed-in visitors go on to the dashboard (an empty POST is refused by the fields)
    "signup": [
        ("get", None, None, {**_all(302), "anonymous": 200}),
        ("post", None, {}, {**_all(302), "anonymous": 400}),
    ],
    "password_reset": [("get", None, None, _all(200))],
    "password_reset_done": [("get", None, None, _all(200))],
    "password_reset_confirm": [
        # A forged link opens the "invalid link" page for everyone; it changes no password.
        ("get", lambda w: {"uidb64": "MQ", "token": "forged-token"}, None, _all(200))
    ],
    "password_reset_complete": [("get", None, None, _all(200))],
    "switch_vendor": [("post", None, lambda w: {"vendor": w["vendor"].pk}, _members(302, 302, 302, 404))],
    "certificates": [("get", None, None, _members(200, 403, 403, 200))],
    # The owner and site staff (the admin's link) get a short-lived signed link; nobody else.
    "certificate_open": [("get", lambda w: {"pk": w["certificate"].pk}, None, _members(302, 403, 403, 404, admin=302))],
    "certificate_delete": [("post", lambda w: {"pk": w["certificate"].pk}, {}, _members(302, 403, 403, 404))],
    # The signed token is the permission: a forged one opens nothing, whoever asks.
    "certificate_file": [("get", lambda w: {"token": f"{w['certificate'].pk}:forged:sig"}, None, _all(404))],
    "team": [("get", None, None, _members(200, 403, 403, 200))],
    "member_role": [("post", lambda w: {"pk": w["member"].pk}, {"role": "manager"}, _members(302, 403, 403, 404))],
    "member_remove": [("post", lambda w: {"pk": w["member"].pk}, {}, _members(302, 403, 403, 404))],
    "places": [("get", None, None, _members(200, 200, 200, 200))],
    "place_create": [("get", None, None, _members(200, 200, 403, 200))],
    "place_edit": [("get", _place, None, _members(200, 200, 403, 404))],
    "place_delete": [("post", _place, {}, _members(302, 302, 403, 404))],
    "place_hours": [("get", _place, None, _members(200, 200, 403, 404))],
    "place_exception_create": [
        ("post", _place, {"date": "2030-02-01", "kind": "closed"}, _members(302, 302, 403, 404))
    ],
    "place_exception_delete": [
        (
            "post",
            lambda w: {"pk": w["place"].pk, "exception_pk": w["exception"].pk},
            {},
            _members(302, 302, 403, 404),
        )
    ],
    "place_photos": [("get", _place, None, _members(200, 200, 403, 404))],
    "place_calendar": [
        ("get", _place, None, _members(200, 200, 403, 404)),
        ("post", _place, {"url": "ftp://calendar.example/x.ics"}, _members(400, 400, 403, 404)),
    ],
    "place_calendar_sync": [("post", _place, {}, _members(302, 302, 403, 404))],
    "place_calendar_remove": [("post", _place, {}, _members(302, 302, 403, 404))],
    "place_photo_move": [
        (
            "post",
            lambda w: {"pk": w["place"].pk, "photo_pk": w["photo"].pk},
            {"direction": "down"},
            _members(302, 302, 403, 404),
        )
    ],
    "place_photo_delete": [
        ("post", lambda w: {"pk": w["place"].pk, "photo_pk": w["photo"].pk}, {}, _members(302, 302, 403, 404))
    ],
    "place_check_in": [("post", _place, {"is_open": "1"}, _members(302, 302, 302, 404))],
    "menus": [("get", None, None, _members(200, 200, 200, 200))],
    "menu_create": [("get", None, None, _members(200, 200, 403, 200))],
    "menu_edit": [("get", lambda w: {"pk": w["menu"].pk}, None, _members(200, 200, 403, 404))],
    "menu_delete": [("post", lambda w: {"pk": w["menu"].pk}, {}, _members(302, 302, 403, 404))],
    "menu_move": [("post", lambda w: {"pk": w["menu"].pk}, {"direction": "up"}, _members(302, 302, 403, 404))],
    "item_create": [("get", lambda w: {"pk": w["menu"].pk}, None, _members(200, 200, 403, 404))],
    "item_edit": [("get", lambda w: {"pk": w["item"].pk}, None, _members(200, 200, 403, 404))],
    "item_delete": [("post", lambda w: {"pk": w["item"].pk}, {}, _members(302, 302, 403, 404))],
    "item_move": [("post", lambda w: {"pk": w["item"].pk}, {"direction": "down"}, _members(302, 302, 403, 404))],
    "item_availability": [("post", lambda w: {"pk": w["item"].pk}, {"available": "0"}, _members(302, 302, 302, 404))],
    "reviews": [("get", None, None, _members(200, 200, 403, 200))],
    "review_reply": [
        ("get", lambda w: {"pk": w["rating"].pk}, None, _members(200, 200, 403, 404)),
        ("post", lambda w: {"pk": w["rating"].pk}, {"text": "Thank you!"}, _members(302, 302, 403, 404)),
    ],
    "review_reply_delete": [("post", lambda w: {"pk": w["rating"].pk}, {}, _members(302, 302, 403, 404))],
    "review_report": [
        ("get", lambda w: {"pk": w["rating"].pk}, None, _members(200, 200, 403, 404)),
    ],
    "history": [("get", None, None, _members(200, 403, 403, 200))],
    "email_settings": [
        ("get", None, None, _members(200, 200, 200, 200)),
        ("post", None, {"weekly_summary": "on"}, _members(302, 302, 302, 302)),
    ],
    # The signed link is the proof, whoever opens it; a token not signed by us is a 400.
    "summary_unsubscribe": [("get", lambda w: {"token": "not-a-signed-token"}, None, _all(400))],
    "analytics": [("get", None, None, _members(200, 200, 403, 200))],
    "analytics_csv": [("get", None, None, _members(200, 200, 403, 200))],
}

# Probes answer everyone the same; they expose no object.
OTHER = {
    "healthz": [("get", None, None, _all(200))],
    "readyz": [("get", None, None, _all(200))],
    "healthz-dependencies": [("get", None, None, _all(200))],
    # The roll-up's health: the same answer for everyone (503 here: no roll-up has run in this world).
    "analytics-health": [("get", None, None, _all(503))],
}


def _named_routes() -> dict[str, set[str]]:
    """Every named route of the app by door: the API, the portal, the admin and the rest."""
    routes = {"api": set(), "portal": set(), "admin": set(), "other": set()}

    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                door = namespace if namespace in ("portal", "admin") else "other"
                if door == "other" and prefix.startswith("api/"):
                    door = "api"
                routes[door].add(pattern.name)

    walk(get_resolver().url_patterns, None, "")
    return routes


def test_access_table_covers_every_api_and_portal_url():
    # given every named route the resolver knows
    routes = _named_routes()
    # then each API and portal route (and each probe) has its rows in the table: a new one must be added
    assert sorted(routes["api"] - API.keys()) == [], "API URLs missing from the access table"
    assert sorted(routes["portal"] - PORTAL.keys()) == [], "portal URLs missing from the access table"
    assert sorted(routes["other"] - OTHER.keys()) == [], "URLs missing from the access table"
    assert sorted(API.keys() - routes["api"]) == [] and sorted(PORTAL.keys() - routes["portal"]) == []


def _cases(door, table, namespace=""):
    return [
        pytest.param(
            door, f"{namespace}{name}", method, kwargs, body, role, expected[role], id=f"{name}-{method}-{role}"
        )
        for name, rows in table.items()
        for method, kwargs, body, expected in rows
        for role in ROLES
    ]


CASES = _cases("api", API) + _cases("portal", PORTAL, "portal:") + _cases("other", OTHER)


@pytest.mark.parametrize(("door", "name", "method", "kwargs", "body", "role", "expected"), CASES)
def test_each_role_gets_what_the_access_table_says(
    client, api_client, s3, world, door, name, method, kwargs, body, role, expected
):
    # given a visitor of that role, and vendor A's and consumer X's objects
    user = world["users"][role]
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    payload = body(world) if callable(body) else body
    if door == "api":
        if user is not None:
            api_client.force_authenticate(user)
        # when they call the endpoint
        if method == "get":
            response = api_client.get(url, payload)
        elif payload is not None:
            response = getattr(api_client, method)(url, payload, format="json")
        else:
            response = getattr(api_client, method)(url)
    else:
        if user is not None:
            client.force_login(user)
        response = client.post(url, payload) if method == "post" else client.get(url)

    # then the answer is the table's
    if expected == LOGIN:
        assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("portal:login"))
    else:
        assert response.status_code == expected, getattr(response, "content", b"")[:300]
    _assert_nothing_crossed(world, name, method, role, expected)


def _assert_nothing_crossed(world, name, method, role, expected):
    """A refused write left the other party's object as it was."""
    if expected in (200, 201, 204, 302) or method == "get":
        return
    if name == "api-favorite-detail":
        assert world["users"]["consumer_x"].favorite_places.filter(place=world["place"]).exists()
    if name == "api-saved-place-detail":
        world["saved_place"].refresh_from_db()
        assert world["saved_place"].name == "Home"
    if name == "api-notification-read":
        world["notification"].refresh_from_db()
        assert world["notification"].read_at is None
    if name == "api-device-detail":
        assert Device.objects.filter(pk=world["device"].pk).exists()
    if name == "api-rating-detail":
        world["rating"].refresh_from_db()
        assert (world["rating"].review, world["rating"].stars) == ("Great tacos.", world["rating"].stars)
    if name == "api-vendor-place-check-in":
        world["place"].refresh_from_db()
        assert (world["place"].lat, world["place"].lng) == (30.2672, -97.7431)
    if name == "portal:member_remove" or name == "portal:member_role":
        world["member"].refresh_from_db()
        assert world["member"].role == Role.STAFF
    if name in ("portal:review_reply", "portal:review_reply_delete"):
        assert not world["rating"].__class__.objects.filter(pk=world["rating"].pk, reply__text="Thank you!").exists()
    if name == "portal:place_delete":
        assert type(world["place"]).objects.filter(pk=world["place"].pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_private_lists_show_only_the_askers_own_rows(api_client, world, role):
    # given consumer X's favorite and rating of vendor A's place
    user = world["users"][role]
    if user is None:
        return
    api_client.force_authenticate(user)
    # when anyone reads their favorites and profile
    favorites = api_client.get(reverse("api-favorites")).json()
    me = api_client.get(reverse("api-me")).json()
    # then they see their own profile and only X sees X's favorite
    assert me["email"] == user.email
    favorite_ids = [
        row["place"]["id"] if isinstance(row.get("place"), dict) else row.get("place") for row in favorites["results"]
    ]
    assert favorite_ids == ([world["place"].pk] if role == "consumer_x" else [])


def test_admin_pages_answer_only_staff(client, world):
    # given every admin page without an object id
    names = sorted(
        name
        for name in _named_routes()["admin"]
        if "<" not in _route_of(name)
        and "(?P" not in _route_of(name)
        and name not in ("login", "logout", "jsi18n", "autocomplete")
    )
    assert "index" in names
    for role in ROLES:
        client.logout()
        user = world["users"][role]
        if user is not None:
            client.force_login(user)
        for name in names:
            # when each role opens it
            response = client.get(reverse(f"admin:{name}"))
            # then only the site staff get in; everyone else is sent to the admin login
            if role == "admin":
                assert response.status_code == 200, name
            else:
                assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("admin:login")), (
                    role,
                    name,
                )


def _route_of(name: str) -> str:
    from django.contrib import admin

    for pattern in admin.site.urls[0]:
        if getattr(pattern, "name", None) == name:
            return str(pattern.pattern)
    return "<unknown>"
