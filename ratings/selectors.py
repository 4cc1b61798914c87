"""Reads of ratings: visible reviews and star distributions."""

from django.db.models import Count, QuerySet

from ratings.models import ALLOWED_STARS, Rating


def visible_ratings(*, place_id: int) -> QuerySet[Rating]:
    return (
        Rating.objects.filter(place_id=place_id, is_hidden=False).select_related("user").order_by("-created_at", "-id")
    )


def star_distribution(*, place_ids: list[int]) -> dict[str, int]:
    """Count of visible ratings per star value ("1.0" … "5.0"), zeros included."""
    counts = {f"{stars:.1f}": 0 for stars in ALLOWED_STARS}
    rows = (
        Rating.objects.filter(place_id__in=place_ids, is_hidden=False)
        .values("stars")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[f"{row['stars']:.1f}"] = row["n"]
    return counts


def place_rating_summary(*, place) -> dict:
    """A place's average and count, of all and of verified visits (kept on the place), with its
    visible star distribution."""
    return {
        "average": place.rating_avg,
        "count": place.rating_count,
        "verified_average": place.rating_verified_avg,
        "verified_count": place.rating_verified_count,
        "distribution": star_distribution(place_ids=[place.pk]),
    }


def get_own_rating_or_404(*, user, rating_id: int) -> Rating:
    """The user's own rating; anyone else's (or none) is a 404."""
    from django.http import Http404

    rating = Rating.objects.select_related("user").filter(pk=rating_id, user=user).first()
    if rating is None:
        raise Http404("No such rating.")
    return rating
