"""Reads of ratings: visible reviews and star distributions."""

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.models import User
from ratings.models import ALLOWED_STARS, Rating, ReportStatus, ReviewReport
from vendors.selectors import for_member, get_for_member_or_404


def visible_ratings(*, place_id: int) -> QuerySet[Rating]:
    return (
        Rating.objects.filter(place_id=place_id, is_hidden=False)
        .select_related("user", "reply", "place__vendor")
        .order_by("-created_at", "-id")
    )


def recent_visible_ratings(*, place_id: int, limit: int = 5) -> list[Rating]:
    """The place's newest visible reviews (with their replies), for the place detail."""
    return list(visible_ratings(place_id=place_id)[:limit])


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


# --- the vendor's reviews inbox -------------------------------------------------------------------


def reviews_for_member(
    user: User,
    vendor_id: int,
    *,
    place_id: int | None = None,
    stars: Decimal | None = None,
    unanswered: bool = False,
) -> QuerySet[Rating]:
    """Visible reviews of the vendor's places the user may answer, newest first, with their reply and
    whether this vendor has an open report on them. Another vendor's reviews never come back."""
    reviews = for_member(
        user,
        Rating.objects.filter(place__vendor_id=vendor_id, is_hidden=False),
        vendor_field="place__vendor",
        action="reviews",
    )
    if place_id is not None:
        reviews = reviews.filter(place_id=place_id)
    if stars is not None:
        reviews = reviews.filter(stars=stars)
    if unanswered:
        reviews = reviews.filter(reply__isnull=True)
    open_report = ReviewReport.objects.filter(rating=OuterRef("pk"), vendor_id=vendor_id, status=ReportStatus.OPEN)
    return (
        reviews.select_related("user", "place", "reply")
        .annotate(reported=Exists(open_report))
        .order_by("-created_at", "-id")
    )


def get_review_for_member_or_404(user: User, rating_id: int, *, action: str = "reviews") -> Rating:
    """A visible review of a place of one of the user's vendors; anyone else's is a 404."""
    queryset = Rating.objects.filter(is_hidden=False).select_related("place", "user", "reply")
    return get_for_member_or_404(user, queryset, rating_id, vendor_field="place__vendor", action=action)
