"""Ratings and reviews: one per user and place; staff can hide a review."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# 1.0, 1.5, ... 5.0
ALLOWED_STARS = [Decimal(n) / 2 for n in range(2, 11)]
REVIEW_MAX_LENGTH = 2000
# A rating is a verified visit when its author was detected near the place (a NEARBY_DETECTION event)
# in this window before the rating was made or last changed (ratings.services keeps the flag).
VERIFIED_VISIT_WINDOW = timedelta(days=14)


class Rating(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings")
    place = models.ForeignKey("trucks.Place", on_delete=models.CASCADE, related_name="ratings")
    stars = models.DecimalField(max_digits=2, decimal_places=1)
    review = models.TextField(max_length=REVIEW_MAX_LENGTH, blank=True)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=255, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    # A database default too: bulk loads (the demo's COPY) name only the columns they fill.
    verified_visit = models.BooleanField(
        default=False,
        db_default=False,
        help_text="The author was detected near the place in the 14 days before rating it (set by the services).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "place"], name="rating_once_per_user_place"),
            models.CheckConstraint(condition=Q(stars__in=ALLOWED_STARS), name="rating_stars_half_steps"),
        ]
        indexes = [
            # "a place's visible reviews, newest first" and its rating summary
            models.Index(
                fields=["place", "-created_at"], name="rating_place_visible_idx", condition=Q(is_hidden=False)
            ),
            # moderation: "hidden reviews, most recent first"
            models.Index(fields=["is_hidden", "-updated_at"], name="rating_moderation_idx"),
        ]

    def __str__(self):
        return f"{self.stars}★ by {self.user} for {self.place}"


REPLY_MAX_LENGTH = 1000
REPORT_NOTE_MAX_LENGTH = 1000


class ReviewReply(models.Model):
    """The vendor's one public reply to a review of one of its places (shown under the review)."""

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="reply")
    author_membership = models.ForeignKey(
        "vendors.VendorMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=REPLY_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "review replies"

    def __str__(self):
        return f"Reply to rating {self.rating_id}"


class ReportReason(models.TextChoices):
    SPAM = "spam", "Spam or advertising"
    OFFENSIVE = "offensive", "Offensive or abusive"
    NOT_A_VISIT = "not_a_visit", "Not about a real visit"
    PERSONAL_DATA = "personal_data", "Shares personal data"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved: review hidden"
    DISMISSED = "dismissed", "Dismissed"


class ReviewReport(models.Model):
    """A vendor asks staff to look at a review of one of its places (the admin's moderation queue)."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="reports")
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.CASCADE, related_name="review_reports")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=32, choices=ReportReason.choices)
    note = models.TextField(max_length=REPORT_NOTE_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rating", "vendor"], condition=Q(status="open"), name="review_report_one_open_per_vendor"
            ),
        ]
        indexes = [
            # staff: "open reports, oldest first"
            models.Index(fields=["status", "created_at"], name="review_report_queue_idx"),
        ]

    def __str__(self):
        return f"Report of rating {self.rating_id} by {self.vendor_id} ({self.status})"
