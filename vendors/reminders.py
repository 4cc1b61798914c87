"""Reminder emails to owners: certificates about to expire, and the weekly summary's opt-out.

Each email is recorded in a table with a unique constraint (CertificateReminder, WeeklySummarySent),
in the transaction of the send: a second run (the beat twice, a retried task, two workers) finds the
row and sends nothing; a failed send rolls the row back, so the next run sends it.
"""

from datetime import date

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from vendors.models import (
    CERTIFICATE_REMINDER_DAYS,
    BusinessCertificate,
    CertificateReminder,
    CertificateStatus,
    Role,
    VendorMember,
)

UNSUBSCRIBE_SALT = "vendors.weekly-summary-unsubscribe"


def owner_emails(vendor_id: int) -> list[str]:
    return list(
        VendorMember.objects.filter(vendor_id=vendor_id, role=Role.OWNER, user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


# --- certificate expiry ---------------------------------------------------------------------------


def reminder_threshold(*, expires_on: date, today: date) -> int | None:
    """The threshold (30, 7 or 1 days) a certificate is in today: the smallest one at or above its days
    left, so one uploaded 5 days before expiry gets the 7-day email only. None: not due (or expired)."""
    days_left = (expires_on - today).days
    if days_left < 0:
        return None
    due = [days for days in CERTIFICATE_REMINDER_DAYS if days_left <= days]
    return min(due) if due else None


def certificates_due_for_reminder(*, today: date) -> QuerySet[BusinessCertificate]:
    """Certificates (not rejected) expiring within the largest threshold, without a later one of the
    same kind that replaces them."""
    horizon = today.toordinal() + max(CERTIFICATE_REMINDER_DAYS)
    return (
        BusinessCertificate.objects.filter(expires_on__gte=today, expires_on__lte=date.fromordinal(horizon))
        .exclude(status=CertificateStatus.REJECTED)
        .select_related("vendor")
        .order_by("id")
    )


def _renewed(certificate: BusinessCertificate) -> bool:
    return (
        BusinessCertificate.objects.filter(
            vendor_id=certificate.vendor_id, kind=certificate.kind, expires_on__gt=certificate.expires_on
        )
        .exclude(status=CertificateStatus.REJECTED)
        .exists()
    )


def certificate_reminder_send(*, certificate: BusinessCertificate, today: date) -> bool:
    """Email the vendor's owners that this certificate expires soon, once per threshold. Answers
    whether an email went out now."""
    threshold = reminder_threshold(expires_on=certificate.expires_on, today=today)
    if threshold is None or _renewed(certificate):
        return False
    recipients = owner_emails(certificate.vendor_id)
    if not recipients:
        return False
    try:
        with transaction.atomic():
            CertificateReminder.objects.create(certificate=certificate, days_before=threshold)
            days_left = (certificate.expires_on - today).days
            context = {
                "certificate": certificate,
                "vendor": certificate.vendor,
                "days_left": days_left,
                "link": site_url(reverse("portal:certificates")),
            }
            EmailMessage(
                subject=f"Your {certificate.get_kind_display().lower()} expires on {certificate.expires_on:%-d %B %Y}",
                body=render_to_string("portal/emails/certificate_expiry.txt", context),
                to=recipients,
            ).send()
    except IntegrityError:
        return False  # another run recorded (and sent) this threshold first
    return True


def certificate_reminders_send(*, today: date) -> int:
    """The beat job's work: every due certificate's reminder, at most once per threshold. Answers how many
    emails went out."""
    return sum(
        certificate_reminder_send(certificate=c, today=today) for c in certificates_due_for_reminder(today=today)
    )


# --- the weekly summary's opt-out -----------------------------------------------------------------


def weekly_summary_unsubscribe_token(membership: VendorMember) -> str:
    return signing.dumps({"membership": membership.pk}, salt=UNSUBSCRIBE_SALT)


def weekly_summary_unsubscribe(token: str) -> VendorMember | None:
    """The one-click link of the email: turn the summary off for the membership the token names.
    None for a token that was tampered with (or of a membership that is gone)."""
    try:
        membership_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)["membership"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    membership = VendorMember.objects.select_related("vendor").filter(pk=membership_id).first()
    if membership is not None:
        weekly_summary_set(membership=membership, enabled=False)
    return membership


def weekly_summary_set(*, membership: VendorMember, enabled: bool) -> VendorMember:
    membership.weekly_summary = enabled
    membership.save(update_fields=["weekly_summary"])
    return membership
