"""Certificate expiry reminders: owners are emailed 30, 7 and 1 days before, once per certificate and
threshold, even when the beat job runs twice."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail

from tests import factories
from vendors import tasks
from vendors.models import CertificateReminder, CertificateStatus, Role
from vendors.reminders import certificate_reminders_send, reminder_threshold

TODAY = date(2026, 12, 7)


@pytest.fixture
def certificate(s3, vendor_a, owner_a, manager_a):
    second_owner = factories.UserFactory(email="owner-a2@example.com")
    factories.VendorMemberFactory(vendor=vendor_a, user=second_owner, role=Role.OWNER)
    return factories.BusinessCertificateFactory(vendor=vendor_a, expires_on=TODAY + timedelta(days=30))


@pytest.mark.parametrize(
    ("days_left", "threshold"), [(31, None), (30, 30), (8, 30), (7, 7), (5, 7), (1, 1), (0, 1), (-1, None)]
)
def test_threshold_is_the_smallest_at_or_above_the_days_left(days_left, threshold):
    assert reminder_threshold(expires_on=TODAY + timedelta(days=days_left), today=TODAY) == threshold


@pytest.mark.django_db
def test_owners_get_one_email_per_threshold_even_when_the_task_runs_twice(certificate):
    sent = []
    # when the daily job runs twice on each day from 30 days before the expiry to the day itself
    for offset in range(31):
        day = TODAY + timedelta(days=offset)
        sent.append(certificate_reminders_send(today=day))
        sent.append(certificate_reminders_send(today=day))

    # then three emails went out: 30, 7 and 1 days before, to the owners only
    assert sum(sent) == 3
    assert [message.subject for message in mail.outbox] == ["Your health permit expires on 6 January 2027"] * 3
    assert mail.outbox[0].to == ["owner-a2@example.com", "owner-a@example.com"]
    assert ["in 30 days" in mail.outbox[0].body, "in 7 days" in mail.outbox[1].body] == [True, True]
    assert "(tomorrow)" in mail.outbox[2].body
    assert "http://localhost:8000/portal/certificates/" in mail.outbox[0].body
    assert sorted(CertificateReminder.objects.values_list("days_before", flat=True)) == [1, 7, 30]


@pytest.mark.django_db
def test_a_failed_send_is_not_recorded_so_the_next_run_sends_it(certificate):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")), pytest.raises(OSError):
        certificate_reminders_send(today=TODAY)
    assert not CertificateReminder.objects.exists()
    assert certificate_reminders_send(today=TODAY) == 1


@pytest.mark.django_db
def test_rejected_and_renewed_certificates_get_no_reminder(certificate, vendor_a):
    certificate.status = CertificateStatus.REJECTED
    certificate.save(update_fields=["status"])
    other = factories.BusinessCertificateFactory(vendor=vendor_a, kind="insurance", expires_on=TODAY)
    factories.BusinessCertificateFactory(vendor=vendor_a, kind="insurance", expires_on=TODAY + timedelta(days=365))
    assert certificate_reminders_send(today=TODAY) == 0
    assert mail.outbox == [] and not CertificateReminder.objects.filter(certificate=other).exists()


@pytest.mark.django_db
def test_the_beat_task_sends_through_the_service(certificate):
    with mock.patch("vendors.tasks.timezone.localdate", return_value=TODAY):
        assert (tasks.send_certificate_reminders.delay().get(), tasks.send_certificate_reminders.delay().get()) == (
            1,
            0,
        )
    assert len(mail.outbox) == 1


def test_the_task_is_in_the_beat_schedule():
    from foodtrucks.celery import app

    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"vendors.send_certificate_reminders", "analytics.send_weekly_summaries"} <= tasks_scheduled


@pytest.mark.django_db
def test_the_command_twin_sends_once(certificate):
    from django.core.management import call_command

    call_command("send_certificate_reminders", "--date", TODAY.isoformat())
    call_command("send_certificate_reminders", "--date", TODAY.isoformat())
    assert len(mail.outbox) == 1
