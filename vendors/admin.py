"""Admin for vendors, memberships and certificates: verification and review actions.

Actions are thin: they call the services in vendors/services.py. Certificate files are
private; staff open them through `certificate_file_view`, which answers with a fresh short-lived
signed link on S3 (or streams the file from the private local folder), never a public URL.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.admin import UserAdmin
from accounts.models import User
from vendors import services
from vendors.models import AuditEntry, BusinessCertificate, Vendor, VendorMember


class NoteActionForm(ActionForm):
    """The action bar with a note: why a vendor or certificate was verified or rejected."""

    note = forms.CharField(required=False, label="Note", widget=forms.TextInput(attrs={"size": 40}))


def _note(request) -> str:
    return request.POST.get("note", "").strip()


class VendorMemberInline(admin.TabularInline):
    model = VendorMember
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


def certificate_file_link(certificate: BusinessCertificate) -> str:
    if not certificate.pk or not certificate.file:
        return "—"
    url = reverse("admin:vendors_businesscertificate_file", args=[certificate.pk])
    label = certificate.original_filename or "file"
    return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">Open {}</a>', url, label)


class BusinessCertificateInline(admin.TabularInline):
    """A summary of the vendor's certificates; each opens on its own page for review."""

    model = BusinessCertificate
    extra = 0
    fields = ("kind", "status", "expires_on", "uploaded_at", "file_link")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="file")
    def file_link(self, obj):
        return certificate_file_link(obj)


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("business_name", "primary_city", "verification_status", "verified_at", "verified_by", "created_at")
    list_select_related = ("verified_by",)
    list_filter = ("verification_status",)
    search_fields = ("business_name", "contact_email", "primary_city")
    date_hierarchy = "created_at"
    readonly_fields = ("verification_status", "verification_note", "verified_at", "verified_by", "created_at")
    fieldsets = (
        (None, {"fields": ("business_name", "description", "primary_city", "primary_state")}),
        ("Contact", {"fields": ("contact_email", "contact_phone", "website")}),
        (
            "Verification (use the list actions)",
            {"fields": ("verification_status", "verification_note", "verified_at", "verified_by", "created_at")},
        ),
    )
    inlines = (VendorMemberInline, BusinessCertificateInline)
    action_form = NoteActionForm
    actions = ("verify", "reject")
    show_full_result_count = False
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.action(description="Verify the selected vendors", permissions=["change"])
    def verify(self, request, queryset):
        for vendor in queryset:
            services.vendor_verify(vendor=vendor, by=request.user, note=_note(request))
        self.message_user(request, f"{len(queryset)} vendor(s) verified.", messages.SUCCESS)

    @admin.action(description="Reject the selected vendors", permissions=["change"])
    def reject(self, request, queryset):
        for vendor in queryset:
            services.vendor_reject(vendor=vendor, by=request.user, note=_note(request))
        self.message_user(request, f"{len(queryset)} vendor(s) rejected.", messages.WARNING)


@admin.register(VendorMember)
class VendorMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "vendor", "role", "created_at")
    list_select_related = ("user", "vendor")
    list_filter = ("role",)
    search_fields = ("user__email", "vendor__business_name")
    autocomplete_fields = ("user", "vendor")


@admin.register(BusinessCertificate)
class BusinessCertificateAdmin(admin.ModelAdmin):
    list_display = ("vendor", "kind", "status", "expires_on", "uploaded_at", "reviewer", "file_link")
    list_select_related = ("vendor", "reviewer")
    list_filter = ("status", "kind")
    search_fields = ("vendor__business_name", "original_filename")
    date_hierarchy = "uploaded_at"
    autocomplete_fields = ("vendor",)
    raw_id_fields = ("uploaded_by",)
    action_form = NoteActionForm
    actions = ("approve", "reject")
    show_full_result_count = False

    add_fields = ("vendor", "kind", "file", "expires_on")
    change_fields = (
        "vendor",
        "kind",
        "file_link",
        "original_filename",
        "content_type",
        "size_bytes",
        "expires_on",
        "uploaded_by",
        "uploaded_at",
        "status",
        "reviewer",
        "reviewer_note",
        "reviewed_at",
    )

    def get_fields(self, request, obj=None):
        # The file widget would print the storage URL: on change, only the signed-link view is shown.
        return self.change_fields if obj else self.add_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "vendor",
            "file_link",
            "original_filename",
            "content_type",
            "size_bytes",
            "uploaded_by",
            "uploaded_at",
            "status",
            "reviewer",
            "reviewer_note",
            "reviewed_at",
        )

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("file") if not change else None
        if upload is not None and hasattr(upload, "size"):
            obj.original_filename = getattr(upload, "name", "")[:255]
            obj.content_type = (getattr(upload, "content_type", "") or "")[:100]
            obj.size_bytes = upload.size
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="file")
    def file_link(self, obj):
        return certificate_file_link(obj)

    # Deleting goes through the service, like the portal: the private file goes too, after commit.
    def delete_model(self, request, obj):
        services.certificate_delete(certificate=obj)

    def delete_queryset(self, request, queryset):
        for certificate in queryset:
            services.certificate_delete(certificate=certificate)

    def get_urls(self):
        view = self.admin_site.admin_view(self.certificate_file_view)
        return [path("<int:pk>/file/", view, name="vendors_businesscertificate_file"), *super().get_urls()]

    def certificate_file_view(self, request, pk):
        """Open a private certificate: a fresh signed S3 link, or the local private file streamed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        certificate = get_object_or_404(BusinessCertificate, pk=pk)
        if not certificate.file:
            raise Http404("This certificate has no file.")
        storage = certificate.file.storage
        if isinstance(storage, FileSystemStorage):
            response = FileResponse(
                storage.open(certificate.file.name, "rb"),
                filename=certificate.original_filename or certificate.file.name.rsplit("/", 1)[-1],
                content_type=certificate.content_type or None,
            )
        else:
            response = HttpResponseRedirect(certificate.file.url)
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description="Approve the selected certificates", permissions=["change"])
    def approve(self, request, queryset):
        for certificate in queryset:
            services.certificate_approve(certificate=certificate, by=request.user, note=_note(request))
        self.message_user(request, f"{len(queryset)} certificate(s) approved.", messages.SUCCESS)

    @admin.action(description="Reject the selected certificates", permissions=["change"])
    def reject(self, request, queryset):
        for certificate in queryset:
            services.certificate_reject(certificate=certificate, by=request.user, note=_note(request))
        self.message_user(request, f"{len(queryset)} certificate(s) rejected.", messages.WARNING)


# A user's vendor memberships on the user's admin page: the user admin is accounts', the
# memberships are ours, so vendors extends it (accounts sits below vendors and never imports it).
class MembershipInline(admin.TabularInline):
    model = VendorMember
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("vendor",)
    fields = ("vendor", "role", "created_at")
    readonly_fields = ("created_at",)
    verbose_name = "vendor membership"


class UserWithMembershipsAdmin(UserAdmin):
    inlines = (MembershipInline,)


admin.site.unregister(User)
admin.site.register(User, UserWithMembershipsAdmin)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, read-only: entries are written by the services, never by hand."""

    list_display = ("created_at", "vendor", "actor_email", "action", "place_name", "summary")
    list_select_related = ("vendor",)
    list_filter = ("action",)
    search_fields = ("summary", "actor_email", "vendor__business_name", "place_name")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
