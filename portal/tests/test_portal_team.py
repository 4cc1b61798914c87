"""Team management: add by email, change role, remove; the last owner stays."""

import re
import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from tests import factories
from vendors import services
from vendors.models import Role, VendorMember


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


@pytest.mark.django_db(transaction=True)
def test_adding_a_new_email_creates_a_user_without_password_and_emails_a_set_password_link(client, owner_a, vendor_a):
    # given the owner on the team page
    client.force_login(owner_a)

    # when they add someone new as staff
    response = client.post(reverse("portal:team"), {"email": "New.Cook@Example.com", "role": "staff"})

    # then the user exists without a usable password, is staff of the vendor and got a link
    assert response.status_code == 302
    user = User.objects.get(email="new.cook@example.com")
    assert not user.has_usable_password()
    assert VendorMember.objects.get(user=user).role == Role.STAFF
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.cook@example.com"]
    link = re.search(r"http://testserver(/portal/password-reset/\S+/)", mail.outbox[0].body).group(1)

    # and the link lets them choose a password, then log in
    client.logout()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "taco-truck-2026!", "new_password2": "taco-truck-2026!"},
    )
    assert done.status_code == 302
    assert client.login(username="new.cook@example.com", password="taco-truck-2026!")


@pytest.mark.django_db(transaction=True)
def test_adding_a_member_when_the_mail_server_is_down_still_adds_them_and_redirects(
    client, owner_a, vendor_a, smtp_outage, caplog
):
    # given the owner on the team page, and a mail server that drops every connection
    client.force_login(owner_a)

    # when they add someone new
    response = client.post(reverse("portal:team"), {"email": "new.cook@example.com", "role": "staff"}, follow=True)

    # then the member is added and the owner gets the usual answer, not a 500
    assert response.redirect_chain == [(reverse("portal:team"), 302)]
    assert "new.cook@example.com joined as staff." in response.content.decode()
    membership = VendorMember.objects.get(vendor=vendor_a, user__email="new.cook@example.com")
    assert (membership.role, membership.invite_sent_at, mail.outbox) == (Role.STAFF, None, [])
    # and the invite task asked for a retry (in-process, Celery hands the Retry to the caller, who logs it)
    [logged] = [record for record in caplog.records if record.name == "django.db.backends.base"]
    assert logged.getMessage().startswith("Error calling vendors.send_member_invite.delay in on_commit()")
    error = logged.exc_info[1]
    assert (type(error), type(error.exc)) == (Retry, smtplib.SMTPServerDisconnected)


@pytest.mark.django_db(transaction=True)
def test_adding_a_member_when_the_mail_server_is_down_retries_the_invite_with_the_member_kept(
    client, owner_a, vendor_a, smtp_outage, eager_retries
):
    # given a mail server that drops the first three connections, and tasks that retry in-process
    smtp_outage.failures = 3
    client.force_login(owner_a)

    # when the owner adds someone new
    response = client.post(reverse("portal:team"), {"email": "new.cook@example.com", "role": "staff"})

    # then the task retried until the email went out, once, and the member was there all along
    assert (response.status_code, response["Location"]) == (302, reverse("portal:team"))
    assert (smtp_outage.attempts, [message.to for message in mail.outbox]) == (4, [["new.cook@example.com"]])
    assert VendorMember.objects.get(vendor=vendor_a, user__email="new.cook@example.com").invite_sent_at is not None


@pytest.mark.django_db
def test_adding_an_existing_user_gives_them_the_membership_without_email(owner_client, vendor_a, consumer):
    response = owner_client.post(reverse("portal:team"), {"email": consumer.email, "role": "manager"})

    assert response.status_code == 302
    assert VendorMember.objects.get(user=consumer, vendor=vendor_a).role == Role.MANAGER
    assert mail.outbox == []


@pytest.mark.django_db
def test_adding_a_member_twice_is_refused_by_the_email_field(owner_client, manager_a):
    response = owner_client.post(reverse("portal:team"), {"email": manager_a.email, "role": "staff"})

    assert response.status_code == 400
    assert f"{manager_a.email} is already on this team." in response.content.decode()


@pytest.mark.django_db
def test_the_last_owner_cannot_be_demoted_or_removed(owner_client, owner_a, vendor_a):
    membership = VendorMember.objects.get(user=owner_a, vendor=vendor_a)

    demoted = owner_client.post(
        reverse("portal:member_role", kwargs={"pk": membership.pk}), {"role": "staff"}, follow=True
    )
    removed = owner_client.post(reverse("portal:member_remove", kwargs={"pk": membership.pk}), follow=True)

    assert "A vendor needs at least one owner" in demoted.content.decode()
    assert "the last owner cannot be removed" in removed.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


@pytest.mark.django_db
def test_an_owner_can_step_down_when_another_owner_exists(owner_a, vendor_a):
    second = factories.VendorMemberFactory(vendor=vendor_a, role=Role.OWNER)
    membership = VendorMember.objects.get(user=owner_a, vendor=vendor_a)

    services.member_change_role(membership=membership, role=Role.MANAGER)

    assert membership.role == Role.MANAGER
    with pytest.raises(ValidationError):
        services.member_remove(membership=second)


@pytest.mark.django_db
def test_changing_a_role_and_removing_a_member_from_the_team_page(owner_client, staff_a, vendor_a):
    membership = VendorMember.objects.get(user=staff_a, vendor=vendor_a)

    changed = owner_client.post(
        reverse("portal:member_role", kwargs={"pk": membership.pk}), {"role": "manager"}, follow=True
    )
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER
    assert f"{staff_a.email} is now manager." in changed.content.decode()

    removed = owner_client.post(reverse("portal:member_remove", kwargs={"pk": membership.pk}), follow=True)
    assert f"{staff_a.email} was removed from the team." in removed.content.decode()
    assert not VendorMember.objects.filter(pk=membership.pk).exists()
