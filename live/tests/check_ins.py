"""A vendor's check-in through the API, as the live stream tests make them (the change they publish)."""

from django.urls import reverse


def api_check_in(member, place, *, lat: float, lng: float, is_open: bool = True) -> None:
    from conftest import token_client

    response = token_client(member).post(
        reverse("api-vendor-place-check-in", kwargs={"place_id": place.pk}),
        {"lat": lat, "lng": lng, "is_open": is_open},
        format="json",
    )
    assert response.status_code == 200, response.content
