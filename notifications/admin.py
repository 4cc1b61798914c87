from django.contrib import admin

from notifications.models import AlertPreferences, Device, Notification, SavedPlace


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "place", "kind", "created_at", "read_at", "push", "pushed_at"]
    list_select_related = ["user", "place"]
    list_filter = ["kind", "push"]
    raw_id_fields = ["user", "place"]
    search_fields = ["user__email"]
    date_hierarchy = "created_at"


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_select_related = ["user"]
    list_display = ["user", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]
    search_fields = ["user__email"]


@admin.register(AlertPreferences)
class AlertPreferencesAdmin(admin.ModelAdmin):
    list_select_related = ["user"]
    list_display = ["user", "opens_nearby", "radius_km", "stop_today", "time_zone", "cooldown_minutes"]
    raw_id_fields = ["user"]
    search_fields = ["user__email"]


@admin.register(SavedPlace)
class SavedPlaceAdmin(admin.ModelAdmin):
    list_select_related = ["user"]
    list_display = ["user", "name", "lat", "lng"]
    raw_id_fields = ["user"]
    search_fields = ["user__email"]
