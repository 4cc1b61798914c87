"""Writes of ratings, whoever makes them (a consumer in the API, staff in the admin).

Every write keeps the place's summary (average and count of visible ratings) in step in the same
transaction, and resets the city's top-places ranking once it commits. Every write locks the places
it touches first, in id order, and only then a rating row: one lock order whatever the door, so two
writes never wait on each other in a cycle.
"""

from collections.abc import Collection, Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, DecimalField, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Round
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from analytics.models import InteractionType
from analytics.selectors import nearby_detections, user_detected_near_place
from analytics.services import interaction_record
from ratings.models import (
    ALLOWED_STARS,
    REPLY_MAX_LENGTH,
    REPORT_NOTE_MAX_LENGTH,
    REVIEW_MAX_LENGTH,
    VERIFIED_VISIT_WINDOW,
    Rating,
    ReportReason,
    ReportStatus,
    ReviewReply,
    ReviewReport,
)
from trucks.models import Place
from trucks.top_places import top_places_invalidate_on_commit
from vendors.models import VendorMember

# --- validation and locks -----------------------------------------------------------------------


def _validate(*, stars: Decimal | None, review: str | None) -> None:
    errors = {}
    if stars is not None and Decimal(stars) not in ALLOWED_STARS:
        errors["stars"] = "Stars go from 1.0 to 5.0 in half steps (1.0, 1.5, … 5.0)."
    if review is not None and len(review) > REVIEW_MAX_LENGTH:
        errors["review"] = f"A review is at most {REVIEW_MAX_LENGTH} characters (it has {len(review)})."
    if errors:
        raise ValidationError(errors)


def _lock_places(place_ids: Iterable[int]) -> dict[int, Place]:
    """Lock these place rows in id order (rows that no longer exist are left out)."""
    places = Place.objects.select_for_update().filter(pk__in=sorted(set(place_ids))).order_by("id")
    return {place.pk: place for place in places.only("id", "city")}


def _place_ids_of(rating_ids: Collection[int]) -> set[int]:
    return set(Rating.objects.filter(pk__in=rating_ids).values_list("place_id", flat=True))


def _lock_places_of(rating_ids: Collection[int], *, also: Iterable[int] = ()) -> dict[int, Place]:
    """Lock the places these ratings are on (and `also`), in id order, before any of the ratings.

    The places are read without a lock first. Moving a rating needs both places' locks, so once its
    place is locked the rating stays there; one moved in between brings its new place into the set.
    """
    locked: dict[int, Place] = {}
    wanted = {*also, *_place_ids_of(rating_ids)}
    while wanted:
        locked |= _lock_places(wanted)
        wanted = _place_ids_of(rating_ids) - locked.keys()
    return locked


def _lock_active_place(place_id: int) -> Place:
    """Only active places can be rated: an inactive or unknown one is the same 404 as for any reader."""
    place = Place.objects.select_for_update().only("id", "city").filter(pk=place_id, is_active=True).first()
    if place is None:
        raise Http404("No such place.")
    return place


# --- verified visits ----------------------------------------------------------------------------


def _verified_visit(rating: Rating) -> bool:
    """The rule of a verified visit: the author was detected near the place (NEARBY_DETECTION) in
    the VERIFIED_VISIT_WINDOW before the rating was made or before it was last changed."""
    return user_detected_near_place(
        user_id=rating.user_id,
        place_id=rating.place_id,
        windows=[(moment - VERIFIED_VISIT_WINDOW, moment) for moment in (rating.created_at, rating.updated_at)],
    )


def rating_verified_visits_refresh_all() -> int:
    """Mark every rating by the same rule, in one statement (bulk loads, e.g. the demo data, which
    writes ratings and events without the services; refresh the summaries after). No locks: for a
    database nobody else writes to yet. Answers the row count."""
    moments = [OuterRef("created_at"), OuterRef("updated_at")]
    detections = nearby_detections(
        user_id=OuterRef("user_id"),
        place_id=OuterRef("place_id"),
        windows=[(moment - VERIFIED_VISIT_WINDOW, moment) for moment in moments],
    )
    return Rating.objects.update(verified_visit=Exists(detections))


# --- the place's summary ------------------------------------------------------------------------


def _summaries_update(places: QuerySet[Place]) -> int:
    """The one computation of the summary: every place of `places` gets the average (rounded half
    up to 2 places) and count of its visible ratings, and the same of its visible verified visits,
    in one set-based UPDATE. Answers the row count."""
    visible = Rating.objects.filter(place=OuterRef("pk"), is_hidden=False).order_by().values("place")
    average = Round(Avg("stars"), 2)
    verified = Q(verified_visit=True)
    averages = DecimalField(max_digits=3, decimal_places=2)
    return places.update(
        rating_avg=Coalesce(
            Subquery(visible.annotate(average=average).values("average")), Value(Decimal("0")), output_field=averages
        ),
        rating_count=Coalesce(
            Subquery(visible.annotate(count=Count("id")).values("count")), 0, output_field=IntegerField()
        ),
        rating_verified_avg=Coalesce(
            Subquery(visible.annotate(average=Round(Avg("stars", filter=verified), 2)).values("average")),
            Value(Decimal("0")),
            output_field=averages,
        ),
        rating_verified_count=Coalesce(
            Subquery(visible.annotate(count=Count("id", filter=verified)).values("count")),
            0,
            output_field=IntegerField(),
        ),
        updated_at=timezone.now(),
    )


def _summary_refresh(place: Place) -> None:
    """Recompute the (locked) place's summary; the city's top list is reset once the transaction commits."""
    _summaries_update(Place.objects.filter(pk=place.pk))
    top_places_invalidate_on_commit(city=place.city)


@transaction.atomic
def place_rating_summary_refresh(*, place_id: int) -> Place:
    """Lock the place row and recompute its summary (also the repair for a summary that drifted)."""
    place = Place.objects.select_for_update().only("id", "city").get(pk=place_id)
    _summary_refresh(place)
    place.refresh_from_db(
        fields=["rating_avg", "rating_count", "rating_verified_avg", "rating_verified_count", "updated_at"]
    )
    return place


def place_rating_summaries_refresh_all() -> int:
    """Recompute every rated place's summary in one statement (bulk loads, e.g. the demo data, which
    writes ratings without the services). No locks: for a database nobody else writes to yet."""
    return _summaries_update(Place.objects.filter(pk__in=Rating.objects.values("place_id")))


# --- a consumer's own rating --------------------------------------------------------------------


@transaction.atomic
def rating_submit(*, user: User, place_id: int, stars: Decimal, review: str | None = None) -> tuple[Rating, bool]:
    """Rate an active place: the first time creates the rating, again updates it. Returns (rating, created).

    `review` None (not given) keeps the earlier text of a rating made again; "" clears it.
    """
    _validate(stars=stars, review=review)
    place = _lock_active_place(place_id)
    now = timezone.now()
    rating = Rating.objects.filter(user=user, place_id=place.pk).first()
    created = rating is None
    if created:
        rating = Rating(user=user, place_id=place.pk, stars=stars, review=review or "", created_at=now, updated_at=now)
        rating.verified_visit = _verified_visit(rating)
        rating.full_clean()
        rating.save()
    else:
        update_fields = ["stars", "updated_at", "verified_visit"]
        rating.stars, rating.updated_at = Decimal(stars), now
        if review is not None:
            rating.review = review
            update_fields.append("review")
        rating.verified_visit = _verified_visit(rating)
        rating.full_clean()
        rating.save(update_fields=update_fields)
    _summary_refresh(place)
    interaction_record(place_id=place.pk, type=InteractionType.RATING, user_id=user.pk)
    return rating, created


@transaction.atomic
def rating_update(*, rating: Rating, stars: Decimal | None = None, review: str | None = None) -> Rating:
    """The author changes their stars and/or review."""
    _validate(stars=stars, review=review)
    places = _lock_places_of([rating.pk])
    update_fields = ["updated_at", "verified_visit"]
    if stars is not None:
        rating.stars = Decimal(stars)
        update_fields.append("stars")
    if review is not None:
        rating.review = review
        update_fields.append("review")
    rating.updated_at = timezone.now()
    rating.verified_visit = _verified_visit(rating)
    rating.full_clean()
    rating.save(update_fields=update_fields)
    for place in places.values():
        _summary_refresh(place)
    return rating


# --- any rating: staff in the admin, the author for deleting -------------------------------------


@transaction.atomic
def rating_staff_save(*, rating: Rating) -> Rating:
    """Staff create or change a rating as given (author, place, stars, review).

    Not a consumer rating a place: no RATING event, and `updated_at` stays the author's. A rating
    moved to another place refreshes both places' summaries.
    """
    _validate(stars=rating.stars, review=rating.review)
    if rating.pk is None:
        places = _lock_places([rating.place_id])
        rating.verified_visit = _verified_visit(rating)
        rating.full_clean()
        rating.save()
    else:
        places = _lock_places_of([rating.pk], also=[rating.place_id])
        rating.verified_visit = _verified_visit(rating)
        rating.full_clean()
        rating.save(update_fields=["user", "place", "stars", "review", "verified_visit"])
    for place in places.values():
        _summary_refresh(place)
    return rating


@transaction.atomic
def rating_delete(*, rating: Rating) -> None:
    """Delete one rating (its author in the API, staff in the admin)."""
    rating_delete_many(rating_ids=[rating.pk])


@transaction.atomic
def rating_delete_many(*, rating_ids: Collection[int]) -> int:
    """Delete these ratings and refresh the summary of every place they were on. Returns how many."""
    places = _lock_places_of(rating_ids)
    _, deleted = Rating.objects.filter(pk__in=rating_ids).delete()
    for place in places.values():
        _summary_refresh(place)
    return deleted.get(Rating._meta.label, 0)


# --- moderation -----------------------------------------------------------------------------------


def _lock_rating(rating: Rating) -> tuple[Place, Rating]:
    """The rating's place, then the rating row itself (read fresh), both locked in that order."""
    places = _lock_places_of([rating.pk])
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    return places[rating.place_id], rating


@transaction.atomic
def rating_hide(*, rating: Rating, by: User, reason: str = "") -> Rating:
    """Hide a review from consumers (moderation); the place's summary no longer counts it."""
    place, rating = _lock_rating(rating)
    if not rating.is_hidden:
        rating.is_hidden = True
        rating.hidden_reason = reason[:255]
        rating.hidden_by = by
        rating.hidden_at = timezone.now()
        rating.full_clean()
        rating.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at"])
        _summary_refresh(place)
    return rating


@transaction.atomic
def rating_unhide(*, rating: Rating) -> Rating:
    """Show a hidden review again; the place's summary counts it again."""
    place, rating = _lock_rating(rating)
    if rating.is_hidden:
        rating.is_hidden = False
        rating.hidden_reason = ""
        rating.hidden_by = None
        rating.hidden_at = None
        rating.full_clean()
        rating.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at"])
        _summary_refresh(place)
    return rating


@transaction.atomic
def reports_hide_reviews(*, report_ids: Collection[int], by: User, reason: str = "") -> int:
    """Staff uphold these reports: each reported review is hidden through `rating_hide` (summary and
    top places kept right), and every open report of those reviews is marked resolved. Answers how
    many reviews were hidden."""
    rating_ids = sorted(set(ReviewReport.objects.filter(pk__in=report_ids).values_list("rating_id", flat=True)))
    hidden = 0
    for rating in Rating.objects.filter(pk__in=rating_ids).order_by("id"):
        was_hidden = rating.is_hidden
        rating_hide(rating=rating, by=by, reason=reason or "Reported by the vendor")
        hidden += not was_hidden
    ReviewReport.objects.filter(rating_id__in=rating_ids, status=ReportStatus.OPEN).update(
        status=ReportStatus.RESOLVED, resolved_by=by, resolved_at=timezone.now()
    )
    return hidden


def reports_dismiss(*, report_ids: Collection[int], by: User) -> int:
    """Staff find nothing wrong with the reviews: the open reports are closed, the reviews stay."""
    return ReviewReport.objects.filter(pk__in=report_ids, status=ReportStatus.OPEN).update(
        status=ReportStatus.DISMISSED, resolved_by=by, resolved_at=timezone.now()
    )


# --- the vendor's side: replies and reports (the caller proved membership of the place's vendor) ------


def _clean_text(text: str, *, field: str, max_length: int, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: "Write a reply (it is shown under the review)."})
    if len(text) > max_length:
        raise ValidationError({field: f"At most {max_length} characters (it has {len(text)})."})
    return text


@transaction.atomic
def review_reply_save(*, rating: Rating, membership: VendorMember, text: str) -> tuple[ReviewReply, bool]:
    """Write the one public reply to a review of the membership's vendor's place: creates it the first
    time, changes its text after. Answers (reply, created)."""
    if rating.place.vendor_id != membership.vendor_id:
        raise ValueError("The review is not about a place of this vendor.")
    text = _clean_text(text, field="text", max_length=REPLY_MAX_LENGTH, required=True)
    now = timezone.now()
    reply, created = ReviewReply.objects.select_for_update().get_or_create(
        rating=rating,
        defaults={
            "author_membership": membership,
            "author": membership.user,
            "text": text,
            "created_at": now,
            "updated_at": now,
        },
    )
    if not created:
        reply.text, reply.updated_at = text, now
        reply.author_membership, reply.author = membership, membership.user
        reply.save(update_fields=["text", "updated_at", "author_membership", "author"])
    return reply, created


@transaction.atomic
def review_reply_delete(*, rating: Rating) -> bool:
    """Take the reply down. Answers whether there was one."""
    deleted, _ = ReviewReply.objects.filter(rating=rating).delete()
    return bool(deleted)


@transaction.atomic
def review_report(*, rating: Rating, membership: VendorMember, reason: str, note: str = "") -> ReviewReport:
    """The vendor asks staff to look at a review of its place; one open report per review and vendor."""
    if rating.place.vendor_id != membership.vendor_id:
        raise ValueError("The review is not about a place of this vendor.")
    if reason not in ReportReason.values:
        raise ValidationError({"reason": "Choose one of the reasons."})
    note = _clean_text(note, field="note", max_length=REPORT_NOTE_MAX_LENGTH, required=False)
    Rating.objects.select_for_update().filter(pk=rating.pk).first()  # two reports of one review queue here
    if ReviewReport.objects.filter(rating=rating, vendor_id=membership.vendor_id, status=ReportStatus.OPEN).exists():
        raise ValidationError({"reason": "You already reported this review; staff will look at it."})
    return ReviewReport.objects.create(
        rating=rating, vendor_id=membership.vendor_id, reported_by=membership.user, reason=reason, note=note
    )
