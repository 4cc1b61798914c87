"""Admin for ratings: every write (edit, delete, hide / unhide) goes through ratings.services, so the
place's summary, the lock order and the top-places reset are the API's."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.text import Truncator

from ratings.models import Rating, ReviewReply, ReviewReport
from ratings.services import (
    place_rating_summary_refresh,
    rating_delete,
    rating_delete_many,
    rating_hide,
    rating_staff_save,
    rating_unhide,
    reports_dismiss,
    reports_hide_reviews,
)
from trucks.admin import PlaceAdmin
from trucks.models import Place


class ReasonActionForm(ActionForm):
    reason = forms.CharField(required=False, max_length=255, label="Reason")


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("place", "user", "stars", "short_review", "verified_visit", "is_hidden", "created_at")
    list_select_related = ("place", "user")
    list_filter = ("is_hidden", "stars")
    search_fields = ("review", "user__email", "place__name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user", "place")
    readonly_fields = (
        "verified_visit",
        "is_hidden",
        "hidden_reason",
        "hidden_by",
        "hidden_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("place", "user", "stars", "review", "verified_visit")}),
        ("Moderation (use the list actions)", {"fields": ("is_hidden", "hidden_reason", "hidden_by", "hidden_at")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )
    action_form = ReasonActionForm
    actions = ("hide", "unhide")
    show_full_result_count = False

    @admin.display(description="review")
    def short_review(self, obj):
        return Truncator(obj.review).chars(80)

    def save_model(self, request, obj, form, change):
        rating_staff_save(rating=obj)

    def delete_model(self, request, obj):
        rating_delete(rating=obj)

    def delete_queryset(self, request, queryset):
        rating_delete_many(rating_ids=list(queryset.values_list("pk", flat=True)))

    @admin.action(description="Hide the selected reviews", permissions=["change"])
    def hide(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        for rating in queryset:
            rating_hide(rating=rating, by=request.user, reason=reason)
        self.message_user(request, f"{len(queryset)} review(s) hidden.", messages.SUCCESS)

    @admin.action(description="Unhide the selected reviews", permissions=["change"])
    def unhide(self, request, queryset):
        for rating in queryset:
            rating_unhide(rating=rating)
        self.message_user(request, f"{len(queryset)} review(s) shown again.", messages.SUCCESS)


@admin.register(ReviewReport)
class ReviewReportAdmin(admin.ModelAdmin):
    """The moderation queue of reviews vendors reported. Hiding goes through ratings.services
    (rating_hide: the place's summary and the city's top places stay right) and resolves the reports."""

    list_display = ("created_at", "status", "reason", "vendor", "place", "stars", "short_review", "is_hidden")
    list_select_related = ("vendor", "rating__place", "rating")
    list_filter = ("status", "reason", "rating__is_hidden")
    search_fields = ("rating__review", "note", "vendor__business_name", "rating__place__name")
    date_hierarchy = "created_at"
    ordering = ("status", "created_at")
    readonly_fields = (
        "rating",
        "vendor",
        "reported_by",
        "reason",
        "note",
        "status",
        "resolved_by",
        "resolved_at",
        "created_at",
        "review_text",
    )
    fields = readonly_fields
    action_form = ReasonActionForm
    actions = ("hide_reviews", "dismiss")

    def has_add_permission(self, request):
        return False  # reports come from vendors, in the portal

    @admin.display(description="place")
    def place(self, obj):
        return obj.rating.place

    @admin.display(description="stars")
    def stars(self, obj):
        return obj.rating.stars

    @admin.display(description="review")
    def short_review(self, obj):
        return Truncator(obj.rating.review).chars(80)

    @admin.display(description="full review")
    def review_text(self, obj):
        return obj.rating.review

    @admin.display(description="hidden", boolean=True)
    def is_hidden(self, obj):
        return obj.rating.is_hidden

    @admin.action(description="Hide the review (and resolve its reports)", permissions=["change"])
    def hide_reviews(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        hidden = reports_hide_reviews(
            report_ids=list(queryset.values_list("pk", flat=True)), by=request.user, reason=reason
        )
        self.message_user(request, f"{hidden} review(s) hidden; their reports are resolved.", messages.SUCCESS)

    @admin.action(description="Dismiss the reports (the review stays)", permissions=["change"])
    def dismiss(self, request, queryset):
        dismissed = reports_dismiss(report_ids=list(queryset.values_list("pk", flat=True)), by=request.user)
        self.message_user(request, f"{dismissed} report(s) dismissed.", messages.SUCCESS)


@admin.register(ReviewReply)
class ReviewReplyAdmin(admin.ModelAdmin):
    """Vendors' public replies, read-only for staff (hiding the review hides its reply with it)."""

    list_display = ("rating", "author", "short_text", "updated_at")
    list_select_related = ("rating__user", "rating__place", "author")
    search_fields = ("text", "rating__place__name")
    readonly_fields = ("rating", "author_membership", "author", "text", "created_at", "updated_at")

    @admin.display(description="reply")
    def short_text(self, obj):
        return Truncator(obj.text).chars(80)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The place admin is trucks'; the rating summary is ours, so ratings extends it with the repair
# action (trucks sits below ratings and never imports it).
class PlaceWithRatingsAdmin(PlaceAdmin):
    actions = (*PlaceAdmin.actions, "refresh_rating_summary")

    @admin.action(description="Recompute the rating summary of the selected places", permissions=["change"])
    def refresh_rating_summary(self, request, queryset):
        place_ids = list(queryset.values_list("pk", flat=True))
        for place_id in place_ids:
            place_rating_summary_refresh(place_id=place_id)
        self.message_user(request, f"Rating summary recomputed for {len(place_ids)} place(s).", messages.SUCCESS)


admin.site.unregister(Place)
admin.site.register(Place, PlaceWithRatingsAdmin)
