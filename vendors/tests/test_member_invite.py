"""The team invite email, a task after commit: sent once, retried on SMTP errors, never sent twice."""

import smtplib
from datetime import UTC, datetime

import pytest
from django.core import mail

from tests import factories
from vendors.models import Role, VendorMember
from vendors.tasks import send_member_invite

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
BASE_URL = "https://portal.example.com/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


@pytest.fixture
def invited(vendor_a):
    """A cook added to vendor A by email: an account without a password, no invite sent yet."""
    user = factories.UserFactory(email="new.cook@example.com")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return factories.VendorMemberFactory(vendor=vendor_a, user=user, role=Role.STAFF)


def test_send_member_invite_when_run_twice_sends_one_email_and_marks_when(invited, owner_a, frozen_now):
    # when the task runs, then runs again (a redelivered message)
    first = send_member_invite.delay(invited.pk, owner_a.pk, BASE_URL).get()
    second = send_member_invite.delay(invited.pk, owner_a.pk, BASE_URL).get()

    # then one email went out, with the set-password link on the portal's address
    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert (sent.to, sent.subject) == (["new.cook@example.com"], "You have been added to Vendor A on Food Trucks")
    assert "https://portal.example.com/portal/password-reset/" in sent.body
    assert VendorMember.objects.get(pk=invited.pk).invite_sent_at == NOW


def test_send_member_invite_when_smtp_fails_once_retries_and_sends_once(invited, owner_a, smtp_outage, eager_retries):
    # given a mail server that drops the first connection
    smtp_outage.failures = 1

    # when the task runs
    sent = send_member_invite.delay(invited.pk, owner_a.pk, BASE_URL).get()

    # then its retry sent the email, once
    assert (sent, smtp_outage.attempts, len(mail.outbox)) == (True, 2, 1)
    assert VendorMember.objects.get(pk=invited.pk).invite_sent_at is not None


def test_send_member_invite_when_smtp_keeps_failing_gives_up_after_five_retries_unmarked(
    invited, owner_a, smtp_outage, eager_retries
):
    # when the mail server refuses every attempt
    result = send_member_invite.delay(invited.pk, owner_a.pk, BASE_URL)

    # then the task tried once and retried five times, and the invite is still to be sent
    assert (result.state, type(result.result)) == ("FAILURE", smtplib.SMTPServerDisconnected)
    assert (smtp_outage.attempts, mail.outbox) == (6, [])
    assert VendorMember.objects.get(pk=invited.pk).invite_sent_at is None


def test_send_member_invite_when_the_member_was_removed_sends_nothing(invited, owner_a):
    membership_id = invited.pk
    invited.delete()

    assert send_member_invite.delay(membership_id, owner_a.pk, BASE_URL).get() is False
    assert mail.outbox == []
