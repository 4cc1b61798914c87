"""Place admin: the rating summary can be recomputed from the visible ratings."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import PlaceFactory, RatingFactory


@pytest.mark.django_db
def test_refresh_rating_summary_action_when_summary_drifted_recomputes_it(client, staff_user):
    # given a summary out of step with the ratings (e.g. after a manual SQL fix)
    place = PlaceFactory(rating_avg=Decimal("1.00"), rating_count=9)
    RatingFactory(place=place, stars=Decimal("4.5"))
    RatingFactory(place=place, stars=Decimal("3.5"))
    client.force_login(staff_user)

    # when
    response = client.post(
        reverse("admin:trucks_place_changelist"), {"action": "refresh_rating_summary", "_selected_action": [place.pk]}
    )

    # then
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.rating_avg, place.rating_count) == (Decimal("4.00"), 2)
