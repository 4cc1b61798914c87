"""Admin for users (email login) and their consumer preferences; DRF tokens without N+1."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as DRFTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from accounts.models import FavoriteCategory, FavoritePlace, RecentlyViewedPlace, User
from vendors.models import VendorMember


class _LowerCaseEmailMixin:
    def clean_email(self):
        # The email is the login and is stored lower-cased (see UserManager).
        return self.cleaned_data["email"].strip().lower()


class UserCreationForm(_LowerCaseEmailMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)
        field_classes = {"email": forms.EmailField}


class UserEditForm(_LowerCaseEmailMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = VendorMember
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("vendor",)
    fields = ("vendor", "role", "created_at")
    readonly_fields = ("created_at",)
    verbose_name = "vendor membership"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "phone_number", "date_of_birth", "primary_city")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
        (_("Personal info"), {"fields": ("first_name", "last_name", "phone_number")}),
    )
    list_display = ("email", "first_name", "last_name", "phone_number", "primary_city", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name", "phone_number")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    date_hierarchy = "date_joined"
    inlines = (MembershipInline,)
    show_full_result_count = False

    def get_inlines(self, request, obj):
        # The add page stays Django's two-step one: email and password first, the rest after.
        return self.inlines if obj is not None else ()


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
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(DRFTokenAdmin):
    list_select_related = ("user",)
    raw_id_fields = ("user",)
