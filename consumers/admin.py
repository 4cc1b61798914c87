"""Support views of a consumer's lists (read-mostly: the consumer changes them in the app)."""

from django.contrib import admin

from consumers.models import FavoriteCategory, FavoritePlace, RecentlyViewedPlace


@admin.register(FavoritePlace)
class FavoritePlaceAdmin(admin.ModelAdmin):
    list_display = ("user", "place", "created_at")
    list_select_related = ("user", "place")
    search_fields = ("user__email", "place__name")
    autocomplete_fields = ("user", "place")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(RecentlyViewedPlace)
class RecentlyViewedPlaceAdmin(admin.ModelAdmin):
    list_display = ("user", "place", "viewed_at")
    list_select_related = ("user", "place")
    search_fields = ("user__email", "place__name")
    autocomplete_fields = ("user", "place")
    date_hierarchy = "viewed_at"
    show_full_result_count = False


@admin.register(FavoriteCategory)
class FavoriteCategoryAdmin(admin.ModelAdmin):
    list_display = ("user", "category", "created_at")
    list_select_related = ("user", "category")
    list_filter = ("category",)
    search_fields = ("user__email", "category__name")
    autocomplete_fields = ("user", "category")


# DRF registers its token admin without list_select_related (one query per row for the user)
# and with a <select> of every user on the add page: replace it with a planned one.
