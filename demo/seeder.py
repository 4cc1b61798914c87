"""Deterministic demo data: vendors, trucks and stands across US cities, menus, schedules,
consumers, favorites, ratings and 30 days of interaction events.

What the demo is made of is in demo/catalog.py; rows are generated in chunks and loaded with
COPY by demo/copy_loader.py, so a million places and ten million events never sit in memory.
The same `seed` gives the same rows; timestamps are relative to the day of the run.
"""

from __future__ import annotations

import random
import time
import zoneinfo
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from analytics.models import UserInteraction
from analytics.partitions import event_partitions_ensure
from consumers.models import FavoriteCategory, FavoritePlace, RecentlyViewedPlace
from demo.catalog import ADJECTIVES, CITIES, CUISINES, FIRST_NAMES, HOUR_WEIGHTS, LAST_NAMES, REVIEWS, STREETS, City
from demo.copy_loader import NULL, CopyLoader, copy_bool, copy_ts, next_id
from ratings.models import Rating
from ratings.services import (
    place_rating_summaries_refresh_all,
    rating_verified_visits_refresh_all,
    review_reply_save,
    review_report,
)
from trucks.models import Category, Menu, MenuItem, OpeningHours, Place, ScheduleException
from trucks.search_document import search_documents_refresh_all
from trucks.upcoming import upcoming_stops_rebuild_all
from vendors.models import BusinessCertificate, CertificateKind, CertificateStatus, Role, Vendor, VendorMember

DEFAULT_SEED = 20260101
# From this many rows a load rebuilds indexes and constraints afterwards (see CopyLoader).
BULK_MODE_ROWS = 200_000
EVENT_DAYS = 30

# The demo logins (documented in docs/demo.md). Demo only: never use these on a real deployment.
DEMO_PASSWORD = "foodtrucks-demo"  # nosec B105 # noqa: S105 - a documented demo password, not a secret
ADMIN_EMAIL = "admin@foodtrucks.local"
CONSUMER_EMAIL = "consumer@foodtrucks.local"
TACO_OWNER_EMAIL = "owner@tacoloco.local"
TACO_MANAGER_EMAIL = "manager@tacoloco.local"
TACO_STAFF_EMAIL = "staff@tacoloco.local"
SMOKE_OWNER_EMAIL = "owner@smokestack.local"
DEMO_LOGINS = [
    # (email, first name, last name, what it shows)
    (ADMIN_EMAIL, "Alex", "Admin", "staff superuser: /admin/"),
    (TACO_OWNER_EMAIL, "Rosa", "Martinez", "owner of Taco Loco (Austin): /portal/"),
    (TACO_MANAGER_EMAIL, "Diego", "Flores", "manager of Taco Loco: /portal/ (no team page)"),
    (TACO_STAFF_EMAIL, "Sam", "Nguyen", "staff of Taco Loco: /portal/ check-in and item availability"),
    (SMOKE_OWNER_EMAIL, "Jamal", "Brooks", "owner of Smokestack BBQ (Chicago): /portal/"),
    (CONSUMER_EMAIL, "Casey", "Consumer", "consumer: API token via POST /api/v1/auth/token/"),
]


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, label: str, n: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + n

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def database_has_data() -> bool:
    """`--if-empty` skips seeding when any vendor or place exists."""
    return Vendor.objects.exists() or Place.objects.exists()


class DemoSeeder:
    """Fills the database; one instance per run. All randomness comes from one seeded generator."""

    def __init__(self, *, places: int, users: int, events: int, seed: int = DEFAULT_SEED, progress=None):
        self.places = max(places, 0)
        self.users = max(users, 0)
        self.events = max(events, 0)
        self.rng = random.Random(seed)  # nosec B311 # noqa: S311 - reproducible demo data, not secrets
        self.report = SeedReport()
        self.loader = CopyLoader(progress or (lambda n: None))
        self.now = timezone.now().replace(microsecond=0)
        self.today = self.now.date()
        # Per place (by position): latitude, longitude, city index; filled as places are made.
        self.place_ids = array("q")
        self.place_lat = array("d")
        self.place_lng = array("d")
        self.place_city = array("b")
        self.user_ids: list[int] = []
        self.bulk_places = self.places * 6 >= BULK_MODE_ROWS  # opening hours: about six rows a place
        self.bulk_users = self.users * 5 >= BULK_MODE_ROWS
        self.category_ids: dict[str, int] = {}
        self.generated_places = 0  # places left for generated vendors once the demo vendors have theirs
        self.demo_consumer_id = 0

    # --- orchestration ------------------------------------------------------------------------
    def expected_rows(self) -> int:
        """A rough total for the progress bar."""
        return int(self.places * 9.5 + self.users * 12 + self.events)

    def run(self) -> SeedReport:
        demo = self._timed("demo accounts", self._demo_accounts)
        self._timed("categories", self._categories)
        self._timed("demo vendors", self._demo_vendors, demo)
        self._timed("vendors, places, menus, hours", self._generated_vendors_and_places)
        self._timed("upcoming stops", self._upcoming_stops)
        self._timed("consumers", self._consumers)
        self._timed("favorites, recently viewed", self._preferences)
        self._timed("ratings", self._ratings, hidden_by_id=demo[ADMIN_EMAIL].pk)
        self._timed("demo reviews", self._demo_reviews, demo)
        self._timed("events", self._events)
        self._timed("verified visits", rating_verified_visits_refresh_all)  # after the events they rest on
        self._timed("rating summaries", self._rating_summaries)
        self._timed("search documents", search_documents_refresh_all)  # the COPY loads bypass the services
        return self.report

    def _timed(self, phase: str, step, *args, **kwargs):
        started = time.monotonic()
        result = step(*args, **kwargs)
        self.report.seconds[phase] = time.monotonic() - started
        return result

    # --- reference data -----------------------------------------------------------------------
    def _categories(self) -> None:
        for position, (name, slug, _items, _words) in enumerate(CUISINES):
            category, created = Category.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
            self.category_ids[slug] = category.pk
            self.report.add("categories", int(created))

    def _demo_accounts(self) -> dict[str, User]:
        accounts = {}
        password = make_password(DEMO_PASSWORD)  # argon2 is slow on purpose: hash once, share it
        for n, (email, first_name, last_name, _what) in enumerate(DEMO_LOGINS):
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User(email=email, first_name=first_name, last_name=last_name)
            user.phone_number = f"+1512555{n:04d}"
            user.is_staff = user.is_superuser = email == ADMIN_EMAIL
            user.is_active = True
            user.primary_city = "Austin"
            user.password = password
            user.save()
            accounts[email] = user
            self.report.add("users", 1)
        Token.objects.get_or_create(user=accounts[CONSUMER_EMAIL])
        self.demo_consumer_id = accounts[CONSUMER_EMAIL].pk
        return accounts

    def _demo_vendors(self, demo: dict[str, User]) -> None:
        """Two hand-made vendors for the demo logins, each with trucks and stands."""
        austin = next(c for c in CITIES if c.name == "Austin")
        chicago = next(c for c in CITIES if c.name == "Chicago")
        specs = [
            (
                "Taco Loco",
                "tacos",
                austin,
                [(TACO_OWNER_EMAIL, Role.OWNER), (TACO_MANAGER_EMAIL, Role.MANAGER), (TACO_STAFF_EMAIL, Role.STAFF)],
                [
                    ("Taco Loco Truck #1", "truck", "E 6th St & Waller St"),
                    ("Taco Loco Truck #2", "truck", "S Congress Ave & Elizabeth St"),
                    ("Taco Loco — Rainey St", "stand", "80 Rainey St"),
                ],
            ),
            (
                "Smokestack BBQ",
                "bbq",
                chicago,
                [(SMOKE_OWNER_EMAIL, Role.OWNER)],
                [
                    ("Smokestack Rig", "truck", "W Randolph St & N Green St"),
                    ("Smokestack — Wicker Park", "stand", "1500 N Milwaukee Ave"),
                ],
            ),
        ]
        budget = self.places
        for business_name, slug, city, members, places in specs:
            vendor = Vendor.objects.filter(business_name=business_name).first() or Vendor.objects.create(
                business_name=business_name,
                description=f"{business_name}: {city.name} favourites since 2015.",
                contact_email=members[0][0],
                primary_city=city.name,
                primary_state=city.state,
                verification_status="verified",
                verified_at=self.now - timedelta(days=40),
                verified_by=demo[ADMIN_EMAIL],
            )
            self.report.add("vendors", 1)
            for email, role in members:
                VendorMember.objects.get_or_create(vendor=vendor, user=demo[email], defaults={"role": role})
            menu = Menu.objects.create(vendor=vendor, name=f"{business_name} menu", menu_type="all_day")
            self._items_for(menu, slug)
            for name, kind, address in places[: max(budget, 0)]:
                budget -= 1
                lat, lng = self._scatter(city)
                place = Place.objects.create(
                    vendor=vendor,
                    kind=kind,
                    name=name,
                    description=f"{business_name} — {kind} in {city.name}.",
                    time_zone=city.time_zone,
                    address=address,
                    city=city.name,
                    state=city.state,
                    lat=lat,
                    lng=lng,
                    location_source="address" if kind == "stand" else "portal",
                    location_updated_at=self.now - timedelta(hours=2),
                    is_open=kind == "stand",
                    open_changed_at=self.now - timedelta(hours=3) if kind == "stand" else None,
                )
                place.categories.add(self.category_ids[slug])
                menu.places.add(place)
                self._remember_place(place.pk, lat, lng, CITIES.index(city))
                self.report.add("places", 1)
            for place in vendor.places.all():
                self._demo_hours(place)
            self._demo_certificates(vendor, uploaded_by=demo[members[0][0]], reviewer=demo[ADMIN_EMAIL])
        self.generated_places = max(budget, 0)

    def _items_for(self, menu: Menu, slug: str) -> None:
        items = next(items for _n, s, items, _w in CUISINES if s == slug)
        MenuItem.objects.bulk_create(
            MenuItem(
                menu=menu,
                name=name,
                price=Decimal(price),
                is_vegan=vegan,
                is_vegetarian=vegetarian or vegan,
                is_gluten_free=gluten_free,
                position=position,
            )
            for position, (name, price, vegan, vegetarian, gluten_free) in enumerate(items)
        )
        self.report.add("menu items", len(items))
        self.report.add("menus", 1)

    def _demo_hours(self, place: Place) -> None:
        hours = [OpeningHours(place=place, weekday=d, opens=clock(11, 0), closes=clock(15, 0)) for d in range(5)]
        # Friday and Saturday nights run past midnight.
        hours += [OpeningHours(place=place, weekday=d, opens=clock(19, 0), closes=clock(2, 0)) for d in (4, 5)]
        OpeningHours.objects.bulk_create(hours)
        ScheduleException.objects.create(
            place=place, date=self.today + timedelta(days=3), kind="closed", note="Private catering event"
        )
        self.report.add("opening hours", len(hours))
        self.report.add("schedule exceptions", 1)

    def _demo_certificates(self, vendor: Vendor, *, uploaded_by: User, reviewer: User) -> None:
        pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        for kind, status in (
            (CertificateKind.BUSINESS_LICENCE, "approved"),
            (CertificateKind.HEALTH_PERMIT, "pending"),
        ):
            approved = status == CertificateStatus.APPROVED
            certificate = BusinessCertificate(
                vendor=vendor,
                kind=kind,
                original_filename=f"{kind}.pdf",
                content_type="application/pdf",
                size_bytes=len(pdf),
                expires_on=self.today + timedelta(days=300),
                status=status,
                reviewer=reviewer if approved else None,
                reviewed_at=self.now - timedelta(days=30) if approved else None,
                uploaded_by=uploaded_by,
            )
            certificate.file.save(f"{kind}.pdf", ContentFile(pdf), save=True)
            self.report.add("certificates", 1)

    # --- generated vendors, places, menus, hours --------------------------------------------------
    def _scatter(self, city: City) -> tuple[float, float]:
        rng = self.rng
        lat = city.lat + max(-0.25, min(0.25, rng.gauss(0, 0.06)))
        lng = city.lng + max(-0.3, min(0.3, rng.gauss(0, 0.075)))
        return round(lat, 6), round(lng, 6)

    def _remember_place(self, place_id: int, lat: float, lng: float, city_index: int) -> None:
        self.place_ids.append(place_id)
        self.place_lat.append(lat)
        self.place_lng.append(lng)
        self.place_city.append(city_index)

    def _generated_vendors_and_places(self) -> None:
        n_places = self.generated_places
        if n_places == 0:
            return
        rng = self.rng
        n_vendors = max(1, n_places // 4)
        vendor_base, place_base, menu_base = next_id(Vendor), next_id(Place), next_id(Menu)
        city_weights = [c.weight for c in CITIES]
        # One vendor: its city and cuisine (kept in arrays, not objects).
        vendor_city = array("b", rng.choices(range(len(CITIES)), weights=city_weights, k=n_vendors))
        vendor_cuisine = array("b", (rng.randrange(len(CUISINES)) for _ in range(n_vendors)))
        vendor_names = [
            f"{rng.choice(ADJECTIVES)} {rng.choice(CUISINES[vendor_cuisine[v]][3])}" for v in range(n_vendors)
        ]
        created = copy_ts(self.now - timedelta(days=200))

        def vendor_rows():
            statuses = ["verified"] * 16 + ["pending"] * 3 + ["rejected"]
            for v in range(n_vendors):
                status = rng.choice(statuses)
                city = CITIES[vendor_city[v]]
                verified_at = copy_ts(self.now - timedelta(days=rng.randrange(1, 180))) if status != "pending" else NULL
                yield (
                    str(vendor_base + v),
                    vendor_names[v],
                    f"{CUISINES[vendor_cuisine[v]][0]} in {city.name}.",
                    f"hello@vendor{vendor_base + v}.example.com",
                    "",
                    "",
                    city.name,
                    status,
                    "",
                    verified_at,
                    created,
                    created,
                )

        self.report.add(
            "vendors",
            self.loader.load(
                Vendor,
                [
                    "id",
                    "business_name",
                    "description",
                    "contact_email",
                    "contact_phone",
                    "website",
                    "primary_city",
                    "verification_status",
                    "verification_note",
                    "verified_at",
                    "created_at",
                    "updated_at",
                ],
                vendor_rows(),
                bulk=self.bulk_places,
            ),
        )
        self.loader.reset_sequence(Vendor)

        # Places: vendor v owns a contiguous block of about four.
        def place_vendor(p: int) -> int:
            return (p * n_vendors) // n_places

        def place_rows():
            previous_vendor, number = -1, 0
            for p in range(n_places):
                v = place_vendor(p)
                number = number + 1 if v == previous_vendor else 1
                previous_vendor = v
                city_index = vendor_city[v] if rng.random() < 0.9 else rng.randrange(len(CITIES))
                city = CITIES[city_index]
                lat, lng = self._scatter(city)
                self._remember_place(place_base + p, lat, lng, city_index)
                truck = rng.random() < 0.65
                street = f"{rng.randrange(1, 2500)} {rng.choice(STREETS)}"
                name = f"{vendor_names[v]} {'Truck' if truck else 'Stand'} #{number}"
                located = copy_ts(self.now - timedelta(minutes=rng.randrange(5, 60 * 24 * 3)))
                is_open = rng.random() < 0.3
                yield (
                    str(place_base + p),
                    str(vendor_base + v),
                    "truck" if truck else "stand",
                    name,
                    f"{CUISINES[vendor_cuisine[v]][0]} from a {'truck' if truck else 'stand'} in {city.name}.",
                    city.time_zone,
                    "" if truck else street,
                    city.name,
                    city.state,
                    f"{lat:.6f}",
                    f"{lng:.6f}",
                    rng.choice(["device", "api", "portal"]) if truck else "address",
                    located,
                    copy_bool(is_open),
                    located if is_open else NULL,
                    copy_bool(rng.random() > 0.02),
                    "0",
                    "0",
                    created,
                    created,
                )

        self.report.add(
            "places",
            self.loader.load(
                Place,
                [
                    "id",
                    "vendor_id",
                    "kind",
                    "name",
                    "description",
                    "time_zone",
                    "address",
                    "city",
                    "state",
                    "lat",
                    "lng",
                    "location_source",
                    "location_updated_at",
                    "is_open",
                    "open_changed_at",
                    "is_active",
                    "rating_avg",
                    "rating_count",
                    "created_at",
                    "updated_at",
                ],
                place_rows(),
                bulk=self.bulk_places,
            ),
        )
        self.loader.reset_sequence(Place)

        slugs = [slug for _n, slug, _i, _w in CUISINES]

        def place_category_rows():
            for p in range(n_places):
                primary = vendor_cuisine[place_vendor(p)]
                yield (str(place_base + p), str(self.category_ids[slugs[primary]]))
                if rng.random() < 0.3:
                    other = (primary + rng.randrange(1, len(CUISINES))) % len(CUISINES)
                    yield (str(place_base + p), str(self.category_ids[slugs[other]]))

        self.report.add(
            "place categories",
            self.loader.load(
                Place.categories.through, ["place_id", "category_id"], place_category_rows(), bulk=self.bulk_places
            ),
        )

        # Menus: an all-day menu per vendor; every third vendor also has specials.
        def menu_rows():
            for v in range(n_vendors):
                cuisine = CUISINES[vendor_cuisine[v]][0]
                yield (str(menu_base + 2 * v), str(vendor_base + v), f"{cuisine} menu", "all_day", "", "t", "0")
                if v % 3 == 0:
                    yield (str(menu_base + 2 * v + 1), str(vendor_base + v), "Specials", "specials", "", "t", "1")

        menu_columns = ["id", "vendor_id", "name", "menu_type", "description", "is_active", "position"]
        menu_columns += ["created_at", "updated_at"]
        self.report.add(
            "menus",
            self.loader.load(
                Menu, menu_columns, ((*row, created, created) for row in menu_rows()), bulk=self.bulk_places
            ),
        )
        self.loader.reset_sequence(Menu)

        def item_rows():
            for v in range(n_vendors):
                items = CUISINES[vendor_cuisine[v]][2]
                chosen = rng.sample(items, k=min(len(items), rng.randrange(5, 9)))
                specials = rng.sample(items, k=2) if v % 3 == 0 else []
                for menu_id, menu_items in ((menu_base + 2 * v, chosen), (menu_base + 2 * v + 1, specials)):
                    for position, (name, price, vegan, vegetarian, gluten_free) in enumerate(menu_items):
                        cents = int(Decimal(price) * 100) + rng.choice((-50, -25, 0, 0, 25, 50, 100))
                        yield (
                            str(menu_id),
                            name,
                            "",
                            f"{Decimal(max(cents, 100)) / 100:.2f}",
                            "",
                            copy_bool(vegan),
                            copy_bool(vegetarian or vegan),
                            copy_bool(gluten_free),
                            copy_bool(rng.random() > 0.05),
                            str(position),
                        )

        self.report.add(
            "menu items",
            self.loader.load(
                MenuItem,
                [
                    "menu_id",
                    "name",
                    "description",
                    "price",
                    "photo",
                    "is_vegan",
                    "is_vegetarian",
                    "is_gluten_free",
                    "is_available",
                    "position",
                ],
                item_rows(),
                bulk=self.bulk_places,
            ),
        )

        def menu_place_rows():
            for p in range(n_places):
                v = place_vendor(p)
                yield (str(menu_base + 2 * v), str(place_base + p))
                if v % 3 == 0 and place_vendor(p - 1) != v:  # specials at the vendor's first place
                    yield (str(menu_base + 2 * v + 1), str(place_base + p))

        self.report.add(
            "menu places",
            self.loader.load(Menu.places.through, ["menu_id", "place_id"], menu_place_rows(), bulk=self.bulk_places),
        )

        def hours_rows():
            for p in range(n_places):
                place_id = str(place_base + p)
                pattern = rng.random()
                if pattern < 0.5:  # lunch trade, weekdays (or six days)
                    days = range(0, 5) if rng.random() < 0.6 else range(0, 6)
                    slots = [(d, "11:00", "15:00" if d < 5 else "16:00") for d in days]
                elif pattern < 0.8:  # all day, every day
                    opens = rng.choice(("07:00", "08:00", "10:00"))
                    slots = [(d, opens, rng.choice(("18:00", "20:00"))) for d in range(7)]
                else:  # evening and late night: closes after midnight
                    slots = [(d, "17:00", "23:00") for d in range(0, 4)]
                    slots += [(d, "18:00", "02:30") for d in (4, 5)]
                lat, lng = self.place_lat[p], self.place_lng[p]
                for weekday, opens, closes in slots:
                    yield (place_id, str(weekday), opens, closes, "", f"{lat:.6f}", f"{lng:.6f}")

        self.report.add(
            "opening hours",
            self.loader.load(
                OpeningHours,
                ["place_id", "weekday", "opens", "closes", "address", "lat", "lng"],
                hours_rows(),
                bulk=self.bulk_places,
            ),
        )

        def exception_rows():
            for p in range(n_places):
                if rng.random() >= 0.05:
                    continue
                day = (self.today + timedelta(days=rng.randrange(1, 15))).isoformat()
                kind = rng.choice(("closed", "special_hours", "moved"))
                place_id = str(place_base + p)
                if kind == "closed":
                    yield (place_id, day, kind, NULL, NULL, "", NULL, NULL, "Closed for maintenance")
                elif kind == "special_hours":
                    yield (place_id, day, kind, "12:00", "22:00", "", NULL, NULL, "Street festival: long hours")
                else:
                    lat, lng = self.place_lat[p] + 0.01, self.place_lng[p] - 0.01
                    address = f"{rng.randrange(1, 900)} {rng.choice(STREETS)}"
                    yield (place_id, day, kind, "11:00", "14:00", address, f"{lat:.6f}", f"{lng:.6f}", "Guest spot")

        self.report.add(
            "schedule exceptions",
            self.loader.load(
                ScheduleException,
                ["place_id", "date", "kind", "opens", "closes", "address", "lat", "lng", "note"],
                exception_rows(),
            ),
        )

    def _upcoming_stops(self) -> None:
        """Search ahead reads the expanded schedules: one set-based rebuild once every hour is loaded."""
        self.report.add("upcoming stops", upcoming_stops_rebuild_all())

    # --- consumers and their preferences ----------------------------------------------------------
    def _consumers(self) -> None:
        self.user_ids = [self.demo_consumer_id]
        if self.users == 0:
            return
        rng = self.rng
        base = next_id(User)
        password = User.objects.get(email=CONSUMER_EMAIL).password  # the same demo password, hashed once

        def rows():
            for u in range(self.users):
                uid = base + u
                city = rng.choices(CITIES, weights=[c.weight for c in CITIES])[0]
                joined = copy_ts(self.now - timedelta(days=rng.randrange(1, 400), minutes=rng.randrange(1440)))
                yield (
                    str(uid),
                    password,
                    NULL,
                    "f",
                    f"consumer{u + 1}@demo.foodtrucks.local",
                    f"+1555{u + 1:08d}",
                    rng.choice(FIRST_NAMES),
                    rng.choice(LAST_NAMES),
                    NULL,
                    city.name,
                    "t",
                    "f",
                    joined,
                )

        columns = ["id", "password", "last_login", "is_superuser", "email", "phone_number", "first_name"]
        columns += ["last_name", "date_of_birth", "primary_city", "is_active", "is_staff", "date_joined"]
        self.report.add("users", self.loader.load(User, columns, rows(), bulk=self.bulk_users))
        self.loader.reset_sequence(User)
        self.user_ids += range(base, base + self.users)

    def _pick_place(self) -> int:
        """A place index, skewed towards the first (popular) ones: a few places get most activity."""
        return int(len(self.place_ids) * self.rng.random() ** 2.5)

    def _distinct_places(self, k: int) -> list[int]:
        k = min(k, len(self.place_ids))
        chosen: set[int] = set()
        while len(chosen) < k:
            chosen.add(self._pick_place())
        return sorted(chosen)

    def _preferences(self) -> None:
        if not self.place_ids:
            return
        rng = self.rng
        categories = list(self.category_ids.values())

        def favorite_rows():
            for uid in self.user_ids:
                for p in self._distinct_places(rng.randrange(0, 6)):
                    yield (
                        str(uid),
                        str(self.place_ids[p]),
                        copy_ts(self.now - timedelta(hours=rng.randrange(1, 2000))),
                    )

        def recent_rows():
            for uid in self.user_ids:
                for p in self._distinct_places(rng.randrange(0, 9)):
                    yield (
                        str(uid),
                        str(self.place_ids[p]),
                        copy_ts(self.now - timedelta(minutes=rng.randrange(1, 40000))),
                    )

        def category_rows():
            for uid in self.user_ids:
                for category_id in rng.sample(categories, k=rng.randrange(0, 4)):
                    yield (str(uid), str(category_id), copy_ts(self.now - timedelta(days=rng.randrange(1, 300))))

        columns = ["user_id", "place_id", "created_at"]
        self.report.add("favorites", self.loader.load(FavoritePlace, columns, favorite_rows(), bulk=self.bulk_users))
        columns = ["user_id", "place_id", "viewed_at"]
        self.report.add(
            "recently viewed", self.loader.load(RecentlyViewedPlace, columns, recent_rows(), bulk=self.bulk_users)
        )
        columns = ["user_id", "category_id", "created_at"]
        self.report.add(
            "favorite categories", self.loader.load(FavoriteCategory, columns, category_rows(), bulk=self.bulk_users)
        )

    def _ratings(self, *, hidden_by_id: int) -> None:
        if not self.place_ids:
            return
        rng = self.rng
        star_choices = ["5.0", "4.5", "4.0", "3.5", "3.0", "2.5", "2.0", "1.5", "1.0"]
        star_weights = [30, 22, 20, 10, 7, 4, 3, 2, 2]

        def rows():
            for uid in self.user_ids:
                for p in self._distinct_places(rng.randrange(0, 7)):
                    stars = rng.choices(star_choices, weights=star_weights)[0]
                    review = rng.choice(REVIEWS[max(1, int(float(stars) + 0.5))]) if rng.random() < 0.6 else ""
                    hidden = bool(review) and rng.random() < 0.03
                    created = self.now - timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(1440))
                    yield (
                        str(uid),
                        str(self.place_ids[p]),
                        stars,
                        review,
                        copy_bool(hidden),
                        "Off-topic" if hidden else "",
                        str(hidden_by_id) if hidden else NULL,
                        copy_ts(created + timedelta(days=1)) if hidden else NULL,
                        copy_ts(created),
                        copy_ts(created),
                    )

        columns = ["user_id", "place_id", "stars", "review", "is_hidden", "hidden_reason", "hidden_by_id"]
        columns += ["hidden_at", "created_at", "updated_at"]
        self.report.add("ratings", self.loader.load(Rating, columns, rows(), bulk=self.bulk_users))

    def _demo_reviews(self, demo: dict[str, User]) -> None:
        """Taco Loco's inbox shows all of it: a review it answered, one waiting, one reported to staff."""
        owner = VendorMember.objects.filter(user=demo[TACO_OWNER_EMAIL], vendor__business_name="Taco Loco").first()
        places = list(Place.objects.filter(vendor__business_name="Taco Loco").order_by("id")[:2])
        if owner is None or not places:
            return
        consumer = demo[CONSUMER_EMAIL]
        texts = [
            (places[0], consumer, "4.5", "Best al pastor on 6th, but the line at noon is long."),
            (places[-1], demo[SMOKE_OWNER_EMAIL], "1.0", "Skip the tacos, the BBQ rig on Randolph St is way better!"),
        ]
        ratings = []
        for place, author, stars, review in texts:
            rating, _ = Rating.objects.update_or_create(
                user=author, place=place, defaults={"stars": Decimal(stars), "review": review, "is_hidden": False}
            )
            ratings.append(rating)
        review_reply_save(rating=ratings[0], membership=owner, text="Thank you! A second window opens at noon now.")
        if not ratings[1].reports.filter(vendor=owner.vendor, status="open").exists():
            review_report(rating=ratings[1], membership=owner, reason="spam", note="Advertises another truck.")
        self.report.add("ratings", len(ratings))

    def _rating_summaries(self) -> None:
        place_rating_summaries_refresh_all()

    # --- events -----------------------------------------------------------------------------------
    def _events(self) -> None:
        if not self.place_ids or self.events == 0:
            return
        rng = self.rng
        now_epoch = int(self.now.timestamp())
        start_epoch = now_epoch - EVENT_DAYS * 86400
        start_day = int(start_epoch // 86400) * 86400
        # One partition per UTC day of the events (the COPY routes each row to its day's partition).
        event_partitions_ensure(
            first=datetime.fromtimestamp(start_epoch, tz=UTC).date(),
            last=datetime.fromtimestamp(now_epoch, tz=UTC).date(),
        )
        # UTC offset (hours) of each city today; a place's local hour becomes a UTC time.
        offsets = [
            int(self.now.astimezone(zoneinfo.ZoneInfo(c.time_zone)).utcoffset().total_seconds() // 3600) for c in CITIES
        ]
        hours = [h for h, w in enumerate(HOUR_WEIGHTS) for _ in range(w)]
        mmss = [f"{m:02d}:{s:02d}+00" for m in range(60) for s in range(60)]
        hour_prefix: dict[int, str] = {}

        def stamp(epoch: int) -> str:
            hour = epoch // 3600
            prefix = hour_prefix.get(hour)
            if prefix is None:
                prefix = hour_prefix[hour] = datetime.fromtimestamp(hour * 3600, tz=UTC).strftime("%Y-%m-%d %H:")
            return prefix + mmss[epoch % 3600]

        user_ids = [str(u) for u in self.user_ids]
        place_ids = [str(p) for p in self.place_ids]
        n_places = len(place_ids)
        uuid_version = (0xF << 76) | (0x3 << 62)
        uuid_bits = (0x4 << 76) | (0x2 << 62)
        random_, getrandbits = rng.random, rng.getrandbits
        n_hours, n_users = len(hours), len(user_ids)
        place_lat, place_lng, place_city = self.place_lat, self.place_lng, self.place_city

        def rows() -> Iterator[tuple[str, ...]]:
            for _ in range(self.events):
                p = int(n_places * random_() ** 2.5)
                roll = random_()
                kind = (
                    "VIEW"
                    if roll < 0.5
                    else "CLICK"
                    if roll < 0.75
                    else "NEARBY_DETECTION"
                    if roll < 0.97
                    else "RATING"
                )
                local_hour = hours[int(random_() * n_hours)]
                epoch = (
                    start_day + int(random_() * (EVENT_DAYS + 1)) * 86400 + (local_hour - offsets[place_city[p]]) * 3600
                )
                epoch += int(random_() * 3600)
                while epoch > now_epoch:
                    epoch -= 86400
                if epoch < start_epoch:
                    epoch += 86400
                if kind == "NEARBY_DETECTION" or random_() < 0.3:
                    lat = f"{place_lat[p] + (random_() - 0.5) * 0.004:.6f}"
                    lng = f"{place_lng[p] + (random_() - 0.5) * 0.004:.6f}"
                else:
                    lat = lng = NULL
                dwell = str(1500 + int(random_() * 178_500)) if kind == "VIEW" and random_() < 0.7 else NULL
                client_id = f"{(getrandbits(128) & ~uuid_version) | uuid_bits:032x}"
                yield (
                    client_id,
                    user_ids[int(random_() * n_users)],
                    place_ids[p],
                    kind,
                    stamp(epoch),
                    stamp(min(epoch + int(random_() * 4), now_epoch)),
                    lat,
                    lng,
                    dwell,
                )

        columns = ["client_id", "user_id", "place_id", "type", "occurred_at", "received_at", "lat", "lng", "dwell_ms"]
        self.report.add(
            "events", self.loader.load(UserInteraction, columns, rows(), bulk=self.events >= BULK_MODE_ROWS)
        )
