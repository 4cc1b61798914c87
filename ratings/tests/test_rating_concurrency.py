"""Many users rating one place at once leave the exact average and count."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from ratings.models import Rating
from ratings.services import rating_submit
from tests import factories
from trucks.models import Place

STARS = ["1.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0", "5.0", "2.0", "4.5"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_one_place_keep_the_exact_summary():
    place = factories.PlaceFactory()
    users = factories.UserFactory.create_batch(len(STARS))
    barrier = threading.Barrier(len(STARS))
    errors: list[BaseException] = []

    def rate(user, stars):
        try:
            barrier.wait(timeout=10)
            rating_submit(user=user, place_id=place.pk, stars=Decimal(stars), review="")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(user, stars)) for user, stars in zip(users, STARS, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    place.refresh_from_db()
    expected = (sum(Decimal(s) for s in STARS) / len(STARS)).quantize(Decimal("0.01"))
    assert Rating.objects.filter(place=place).count() == len(STARS)
    assert (place.rating_avg, place.rating_count) == (expected, len(STARS)) == (Decimal("3.50"), 10)


@pytest.mark.django_db(transaction=True)
def test_concurrent_reposts_by_one_user_keep_one_rating():
    place = factories.PlaceFactory()
    user = factories.UserFactory()
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def rate(stars):
        try:
            barrier.wait(timeout=10)
            rating_submit(user=user, place_id=place.pk, stars=Decimal(stars), review="")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(stars,)) for stars in ["1.0", "2.0", "3.0", "4.0", "5.0", "1.5"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    rating = Rating.objects.get(place=place)
    place = Place.objects.get(pk=place.pk)
    assert (place.rating_avg, place.rating_count) == (rating.stars.quantize(Decimal("0.01")), 1)
