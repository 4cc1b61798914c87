"""Celery tasks of the vendors app: take ids, load, call a service; retried here, idempotent there."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from accounts.models import User
from vendors.models import VendorMember
from vendors.reminders import certificate_reminders_send


@shared_task(
    name="vendors.send_member_invite",
    # smtplib's errors, refused connections and timeouts are all OSErrors.
    autoretry_for=(OSError, OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def send_member_invite(membership_id: int, invited_by_id: int, base_url: str) -> bool:
    """Email a new team member the link to set their password (enqueued once the membership committed)."""
    from vendors.services import member_invite_send  # the service module enqueues this task

    membership = VendorMember.objects.select_related("user", "vendor").filter(pk=membership_id).first()
    if membership is None:
        return False  # removed from the team before the email went out: nobody to invite
    invited_by = User.objects.filter(pk=invited_by_id).first()
    return member_invite_send(membership=membership, invited_by=invited_by, base_url=base_url)


@shared_task(
    name="vendors.send_certificate_reminders",
    autoretry_for=(OSError, OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def send_certificate_reminders() -> int:
    """Beat job, daily: owners are told 30, 7 and 1 days before a certificate expires (once each)."""
    return certificate_reminders_send(today=timezone.localdate())
