"""factory_boy factories for every model: tests build exactly the rows they talk about."""

from datetime import time
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from analytics.models import DailyPlaceStats, InteractionType, UserInteraction
from consumers.models import FavoritePlace
from ratings.models import Rating
from trucks.models import Category, ExceptionKind, Menu, MenuItem, OpeningHours, Place, PlaceKind, ScheduleException
from vendors.models import BusinessCertificate, CertificateKind, Role, Vendor, VendorMember

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone_number = factory.Sequence(lambda n: f"+1415555{n:04d}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class StaffUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    business_name = factory.Sequence(lambda n: f"Vendor {n}")
    contact_email = factory.Sequence(lambda n: f"vendor{n}@example.com")
    primary_city = "Austin"


class VendorMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VendorMember

    vendor = factory.SubFactory(VendorFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    vendor = factory.SubFactory(VendorFactory)
    kind = PlaceKind.TRUCK
    name = factory.Sequence(lambda n: f"Place {n}")
    time_zone = "America/Chicago"
    city = "Austin"
    state = "TX"
    lat = 30.2672
    lng = -97.7431
    location_updated_at = factory.LazyFunction(timezone.now)


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    place = factory.SubFactory(PlaceFactory)
    weekday = 0
    opens = time(11, 0)
    closes = time(15, 0)


class ScheduleExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleException

    place = factory.SubFactory(PlaceFactory)
    date = factory.LazyFunction(lambda: timezone.localdate())
    kind = ExceptionKind.CLOSED


class MenuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Menu

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Menu {n}")


class MenuItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenuItem

    menu = factory.SubFactory(MenuFactory)
    name = factory.Sequence(lambda n: f"Item {n}")
    price = Decimal("9.50")
    is_vegan = False
    # A valid row by default: a vegan item is vegetarian (the database refuses anything else).
    is_vegetarian = factory.LazyAttribute(lambda item: item.is_vegan)


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    user = factory.SubFactory(UserFactory)
    place = factory.SubFactory(PlaceFactory)
    stars = Decimal("4.0")
    review = "Great tacos."


class FavoritePlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FavoritePlace

    user = factory.SubFactory(UserFactory)
    place = factory.SubFactory(PlaceFactory)


class UserInteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserInteraction

    user = factory.SubFactory(UserFactory)
    place = factory.SubFactory(PlaceFactory)
    type = InteractionType.VIEW
    occurred_at = factory.LazyFunction(timezone.now)


class DailyPlaceStatsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyPlaceStats

    place = factory.SubFactory(PlaceFactory)
    date = factory.LazyFunction(lambda: timezone.localdate())
    views = 10
    unique_viewers = 7
    clicks = 3
    ratings = 1
    nearby_users = 5
    views_by_hour = factory.LazyFunction(lambda: [0] * 11 + [4, 6] + [0] * 11)


class BusinessCertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessCertificate

    vendor = factory.SubFactory(VendorFactory)
    kind = CertificateKind.HEALTH_PERMIT
    file = factory.django.FileField(filename="permit.pdf", data=b"%PDF-1.4\n%test\n")
    original_filename = "permit.pdf"
    content_type = "application/pdf"
