"""Admin for ratings: every write (edit, delete, hide / unhide) goes through ratings.services, so the
place's summary, the lock order and the top-places reset are the API's."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.text import Truncator

from ratings.models import Rating
from ratings.services import (
    place_rating_summary_refresh,
    rating_delete,
    rating_delete_many,
    rating_hide,
    rating_staff_save,
    rating_unhide,
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
