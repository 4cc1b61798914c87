"""Admin for categories, places (with hours, exceptions and photos), menus (with items), photos.

Deleting a place, menu, item or photo goes through trucks.services, like the portal: their stored
photo files are deleted too, once the rows are gone. Every image uploaded here is cleaned like the
portal's (vendors.images.clean_image: JPEG or PNG by content, re-encoded, stored under a random key).
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from trucks import services
from trucks.models import Category, Menu, MenuItem, OpeningHours, Photo, Place, ScheduleException
from trucks.search_document import search_documents_refresh, search_documents_refresh_for_menus
from trucks.upcoming import upcoming_stops_rebuild
from vendors.images import clean_image


class CleanImageFormField(forms.FileField):
    """An image upload answered as its cleaned copy (named only by its real type), or refused by the
    field with clean_image's message (an SVG, a PDF, a damaged file, too many pixels)."""

    def to_python(self, data):
        upload = super().to_python(data)
        return None if upload is None else clean_image(upload).as_file()


class CleanImagesMixin:
    """For a ModelAdmin or an inline: every ImageField of its form takes uploads through clean_image."""

    formfield_overrides = {models.ImageField: {"form_class": CleanImageFormField}}


# The image field of each model whose images have thumbnails (trucks.thumbnails).
_IMAGE_FIELDS = {Photo: "image", MenuItem: "photo"}


def _renew_thumbnails_if_uploaded(form) -> None:
    obj = form.instance
    field = _IMAGE_FIELDS.get(type(obj))
    if field and obj.pk and field in form.changed_data and getattr(obj, field).name:
        services.image_thumbnails_renew(obj=obj)


class ThumbnailsOnUploadMixin:
    """For a ModelAdmin: a photo uploaded here (on the object or in an inline) gets its thumbnails, as
    one uploaded through the portal does."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _renew_thumbnails_if_uploaded(form)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            if inline_form not in getattr(formset, "deleted_forms", []):
                _renew_thumbnails_if_uploaded(inline_form)


def _thumbnail(image) -> str:
    if not image:
        return "—"
    return format_html('<img src="{}" alt="" style="max-height:48px;max-width:96px">', image.url)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    # Through the services: the places in a category carry its name in their search documents.
    def save_model(self, request, obj, form, change):
        services.category_save(category=obj)

    def delete_model(self, request, obj):
        services.category_delete(category=obj)

    def delete_queryset(self, request, queryset):
        for category in queryset:
            services.category_delete(category=category)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    fields = ("weekday", "opens", "closes", "address", "lat", "lng")


class ScheduleExceptionInline(admin.TabularInline):
    model = ScheduleException
    extra = 0
    fields = ("date", "kind", "opens", "closes", "address", "lat", "lng", "note")


class _PhotoInline(CleanImagesMixin, admin.TabularInline):
    model = Photo
    extra = 0
    fields = ("image", "preview", "caption", "position")
    readonly_fields = ("preview",)

    @admin.display(description="preview")
    def preview(self, obj):
        return _thumbnail(obj.image)


class PlacePhotoInline(_PhotoInline):
    fk_name = "place"


@admin.register(Place)
class PlaceAdmin(ThumbnailsOnUploadMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "vendor",
        "city",
        "state",
        "is_open",
        "is_active",
        "rating_avg",
        "rating_count",
        "location_updated_at",
    )
    list_select_related = ("vendor",)
    # Cheap filters only: choice and boolean columns (no DISTINCT over a million cities).
    list_filter = ("kind", "is_open", "is_active", "location_source")
    search_fields = ("name", "city", "vendor__business_name")
    autocomplete_fields = ("vendor", "categories")
    readonly_fields = (
        "rating_avg",
        "rating_count",
        "rating_verified_avg",
        "rating_verified_count",
        "open_changed_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("vendor", "kind", "name", "description", "categories", "is_active")}),
        ("Where", {"fields": ("time_zone", "address", "city", "state", "lat", "lng")}),
        ("Live", {"fields": ("location_source", "location_updated_at", "is_open", "open_changed_at")}),
        ("Ratings", {"fields": ("rating_avg", "rating_count", "rating_verified_avg", "rating_verified_count")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )
    inlines = (OpeningHoursInline, ScheduleExceptionInline, PlacePhotoInline)
    show_full_result_count = False

    def delete_model(self, request, obj):
        services.place_delete(place=obj)

    def delete_queryset(self, request, queryset):
        for place in queryset:
            services.place_delete(place=place)

    def save_related(self, request, form, formsets, change):
        """Staff edit the texts, hours, exceptions, zone, location and activity here: the place's search
        document and upcoming stops follow, and the change bus hears what the live state did."""
        super().save_related(request, form, formsets, change)
        search_documents_refresh(place_ids=[form.instance.pk])
        upcoming_stops_rebuild(place_ids=[form.instance.pk])
        if change:
            before = {name: form.initial.get(name) for name in ("is_active", "is_open", "lat", "lng")}
            services.place_staff_saved(place=form.instance, before=before)


class _ScheduleRowAdmin(admin.ModelAdmin):
    """Hours and exceptions edited on their own pages: the place's upcoming stops follow."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        upcoming_stops_rebuild(place_ids=[obj.place_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        upcoming_stops_rebuild(place_ids=[obj.place_id])

    def delete_queryset(self, request, queryset):
        place_ids = list(queryset.values_list("place_id", flat=True))
        super().delete_queryset(request, queryset)
        upcoming_stops_rebuild(place_ids=place_ids)


@admin.register(OpeningHours)
class OpeningHoursAdmin(_ScheduleRowAdmin):
    list_display = ("place", "weekday", "opens", "closes", "address")
    list_select_related = ("place",)
    list_filter = ("weekday",)
    search_fields = ("place__name", "address")
    autocomplete_fields = ("place",)
    show_full_result_count = False


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(_ScheduleRowAdmin):
    list_display = ("place", "date", "kind", "opens", "closes", "note")
    list_select_related = ("place",)
    list_filter = ("kind",)
    search_fields = ("place__name", "note")
    date_hierarchy = "date"
    autocomplete_fields = ("place",)
    show_full_result_count = False


VEGAN_NOT_VEGETARIAN_MESSAGE = "A vegan item is vegetarian too: tick Vegetarian as well (or untick Vegan)."


class MenuItemAdminForm(forms.ModelForm):
    """The item page's and the menu page's item rows: the item_vegan_is_vegetarian constraint said by
    the Vegetarian box, in words (the constraint alone shows its name at the top of the form)."""

    class Meta:
        model = MenuItem
        fields = [
            "menu",
            "position",
            "name",
            "description",
            "price",
            "is_vegan",
            "is_vegetarian",
            "is_gluten_free",
            "is_available",
            "photo",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_vegan") and not cleaned.get("is_vegetarian"):
            self.add_error("is_vegetarian", VEGAN_NOT_VEGETARIAN_MESSAGE)
        return cleaned


class MenuItemInline(CleanImagesMixin, admin.TabularInline):
    model = MenuItem
    form = MenuItemAdminForm
    extra = 0
    fields = (
        "position",
        "name",
        "description",
        "price",
        "is_vegan",
        "is_vegetarian",
        "is_gluten_free",
        "is_available",
        "photo",
    )


@admin.register(Menu)
class MenuAdmin(ThumbnailsOnUploadMixin, admin.ModelAdmin):
    list_display = ("name", "vendor", "menu_type", "is_active", "position", "updated_at")
    list_select_related = ("vendor",)
    list_filter = ("menu_type", "is_active")
    search_fields = ("name", "vendor__business_name")
    autocomplete_fields = ("vendor", "places")
    inlines = (MenuItemInline,)
    show_full_result_count = False

    def save_related(self, request, form, formsets, change):
        """The form saved the places, the active switch and the items: rebuild the search documents of
        the places the menu is attached to now and of those it was attached to before."""
        before = list(form.instance.places.values_list("pk", flat=True))  # the form has not set them yet
        super().save_related(request, form, formsets, change)
        search_documents_refresh(place_ids=[*before, *form.instance.places.values_list("pk", flat=True)])

    def delete_model(self, request, obj):
        services.menu_delete(menu=obj)

    def delete_queryset(self, request, queryset):
        for menu in queryset:
            services.menu_delete(menu=menu)


class ItemPhotoInline(_PhotoInline):
    fk_name = "menu_item"


@admin.register(MenuItem)
class MenuItemAdmin(ThumbnailsOnUploadMixin, CleanImagesMixin, admin.ModelAdmin):
    form = MenuItemAdminForm
    list_display = (
        "name",
        "menu",
        "vendor",
        "price",
        "is_vegan",
        "is_vegetarian",
        "is_gluten_free",
        "is_available",
    )
    list_select_related = ("menu__vendor",)
    list_filter = ("is_available", "is_vegan", "is_vegetarian", "is_gluten_free")
    search_fields = ("name", "menu__name", "menu__vendor__business_name")
    autocomplete_fields = ("menu",)
    inlines = (ItemPhotoInline,)
    show_full_result_count = False

    @admin.display(description="vendor", ordering="menu__vendor__business_name")
    def vendor(self, obj):
        return obj.menu.vendor

    def save_model(self, request, obj, form, change):
        """The item's name is in the search documents of its menu's places (the old menu's too, if moved)."""
        before = MenuItem.objects.filter(pk=obj.pk).values_list("menu_id", flat=True).first() if obj.pk else None
        super().save_model(request, obj, form, change)
        search_documents_refresh_for_menus(menu_ids=[obj.menu_id, before or obj.menu_id])

    def delete_model(self, request, obj):
        services.item_delete(item=obj)

    def delete_queryset(self, request, queryset):
        for item in queryset:
            services.item_delete(item=item)


@admin.register(Photo)
class PhotoAdmin(ThumbnailsOnUploadMixin, CleanImagesMixin, admin.ModelAdmin):
    list_display = ("__str__", "preview", "place", "menu_item", "position", "created_at")
    list_select_related = ("place", "menu_item")
    search_fields = ("caption", "place__name", "menu_item__name")
    autocomplete_fields = ("place", "menu_item")
    raw_id_fields = ("uploaded_by",)
    readonly_fields = ("preview",)
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description="preview")
    def preview(self, obj):
        return _thumbnail(obj.image)

    def delete_model(self, request, obj):
        services.photo_delete(photo=obj)

    def delete_queryset(self, request, queryset):
        for photo in queryset:
            services.photo_delete(photo=photo)
