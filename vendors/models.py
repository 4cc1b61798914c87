"""Vendors, their members (roles) and their business certificates."""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from vendors.time_zones import STATE_CHOICES

# The STORAGES alias of private files (a task that deletes them opens the storage by this name).
PRIVATE_STORAGE = "private"


def private_storage():
    """Certificates live in the private storage (S3 with signed links when configured)."""
    return storages[PRIVATE_STORAGE]


def certificate_upload_to(instance, filename):
    # Never trust the uploaded name: a random key under the vendor's folder, extension kept.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"certificates/vendor-{instance.vendor_id}/{uuid.uuid4().hex}.{suffix}"


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


class Vendor(models.Model):
    business_name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=16, blank=True)
    website = models.URLField(blank=True)
    primary_city = models.CharField(max_length=100, blank=True)
    # Two-letter US state (or territory) code: a new place's time zone defaults from it (vendors.time_zones).
    primary_state = models.CharField(max_length=2, blank=True, db_default="", choices=STATE_CHOICES)
    verification_status = models.CharField(
        max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    verification_note = models.TextField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="VendorMember", related_name="vendors")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["business_name", "id"]
        indexes = [
            # staff: "vendors waiting for verification, oldest first"
            models.Index(fields=["verification_status", "created_at"], name="vendor_status_created_idx"),
        ]

    def __str__(self):
        return self.business_name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    STAFF = "staff", "Staff"


class VendorMember(models.Model):
    """A user's membership of a vendor, with a role. A user may belong to several vendors."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(default=timezone.now)
    invite_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the set-password email went out; a retried task finds it set and sends nothing.",
    )
    weekly_summary = models.BooleanField(
        default=True,
        db_default=True,
        help_text="Owners get the weekly summary email unless they turn it off (portal, or the email's link).",
    )

    class Meta:
        ordering = ["vendor_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "user"], name="vendor_member_once"),
        ]
        indexes = [
            # every access check: "is this user a member of that vendor, with which role?"
            models.Index(fields=["user", "vendor"], name="member_user_vendor_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.vendor} ({self.role})"


class CertificateKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", "Business licence"
    HEALTH_PERMIT = "health_permit", "Health permit"
    INSURANCE = "insurance", "Insurance"
    FIRE_INSPECTION = "fire_inspection", "Fire inspection"
    OTHER = "other", "Other"


class CertificateStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class BusinessCertificate(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(max_length=32, choices=CertificateKind.choices)
    file = models.FileField(upload_to=certificate_upload_to, storage=private_storage, max_length=255)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    expires_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_note = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            # staff: "certificates waiting for review, oldest first"
            models.Index(fields=["status", "uploaded_at"], name="certificate_status_idx"),
            # portal: "this vendor's certificates" and expiring-soon warnings
            models.Index(fields=["vendor", "expires_on"], name="certificate_vendor_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.vendor}"


# Days before a certificate's expiry on which its owners are reminded.
CERTIFICATE_REMINDER_DAYS = (30, 7, 1)


class CertificateReminder(models.Model):
    """A certificate-expiry email that went out: one per certificate and threshold, ever."""

    certificate = models.ForeignKey(BusinessCertificate, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["certificate", "days_before"], name="certificate_reminder_once"),
        ]

    def __str__(self):
        return f"{self.certificate_id}: {self.days_before} days"


class WeeklySummarySent(models.Model):
    """A weekly summary email that went out: one per owner membership and week (its Monday)."""

    membership = models.ForeignKey(VendorMember, on_delete=models.CASCADE, related_name="weekly_summaries")
    week_start = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "weekly summaries sent"
        constraints = [
            models.UniqueConstraint(fields=["membership", "week_start"], name="weekly_summary_once_per_week"),
        ]

    def __str__(self):
        return f"{self.membership_id}: week of {self.week_start}"


class AuditAction(models.TextChoices):
    CHECK_IN = "check_in", "Check-in"
    HOURS = "hours", "Opening hours"
    EXCEPTION = "exception", "Schedule exception"
    PLACE = "place", "Place details"
    MENU = "menu", "Menu"
    ITEM = "item", "Menu item"
    TEAM = "team", "Team"


class AuditEntry(models.Model):
    """Who changed what of a vendor's, and when: written by the services in the transaction of the change."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as written: the entry still says who it was once the user is gone.
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=32)
    object_id = models.BigIntegerField(null=True, blank=True)
    # The place the change is about, when there is one (an id, not a key: a deleted place keeps its history).
    place_id = models.BigIntegerField(null=True, blank=True)
    place_name = models.CharField(max_length=120, blank=True)
    summary = models.CharField(max_length=255)
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            # the portal's History: "this vendor's entries, newest first" (by place, by action)
            models.Index(fields=["vendor", "-created_at"], name="audit_vendor_created_idx"),
            models.Index(fields=["vendor", "place_id", "-created_at"], name="audit_vendor_place_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email or 'system'}: {self.summary}"
