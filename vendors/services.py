"""Writes about vendors: staff verification, certificates (upload, review) and the team (members, roles).

One module for every caller: the portal, the Django Admin's actions and the tasks call the same services.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.services import user_register
from foodtrucks.tasks import stored_files_delete
from vendors.audit import audit_record
from vendors.file_checks import check_document
from vendors.models import (
    PRIVATE_STORAGE,
    AuditAction,
    BusinessCertificate,
    CertificateStatus,
    Role,
    Vendor,
    VendorMember,
    VerificationStatus,
)
from vendors.tasks import send_member_invite

# --- staff decisions (the Django Admin's actions) ----------------------------------------------------


def _vendor_set_status(*, vendor: Vendor, by: User, status: str, note: str) -> Vendor:
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    vendor.verification_status = status
    vendor.verification_note = note
    vendor.verified_at = timezone.now()
    vendor.verified_by = by
    vendor.full_clean()
    vendor.save(update_fields=["verification_status", "verification_note", "verified_at", "verified_by", "updated_at"])
    return vendor


@transaction.atomic
def vendor_verify(*, vendor: Vendor, by: User, note: str = "") -> Vendor:
    """Mark a vendor verified by a staff member, now."""
    return _vendor_set_status(vendor=vendor, by=by, status=VerificationStatus.VERIFIED, note=note)


@transaction.atomic
def vendor_reject(*, vendor: Vendor, by: User, note: str = "") -> Vendor:
    """Mark a vendor rejected by a staff member, now (the decision and who made it are kept)."""
    return _vendor_set_status(vendor=vendor, by=by, status=VerificationStatus.REJECTED, note=note)


# --- self-service sign-up ---------------------------------------------------------------------------


@transaction.atomic
def vendor_sign_up(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    business_name: str,
    primary_city: str,
    primary_state: str,
    contact_phone: str = "",
) -> tuple[User, Vendor]:
    """A new vendor, pending verification, with the new user as its owner: all three rows or none.

    Errors of every field come together (the vendor's and the user's), keyed by the field.
    """
    vendor = Vendor(
        business_name=business_name.strip(),
        primary_city=primary_city.strip(),
        primary_state=primary_state,
        contact_phone=contact_phone,
        verification_status=VerificationStatus.PENDING,
    )
    errors: dict[str, list[str]] = {}
    try:
        vendor.full_clean(exclude=["contact_email"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        user, _token = user_register(
            email=email, password=password, first_name=first_name, last_name=last_name, phone_number=None
        )
    except ValidationError as exc:
        if errors:
            errors.update(exc.message_dict)
            raise ValidationError(errors) from exc
        raise
    if errors:
        raise ValidationError(errors)
    vendor.contact_email = user.email
    vendor.save()
    VendorMember.objects.create(vendor=vendor, user=user, role=Role.OWNER)
    return user, vendor


# --- certificates --------------------------------------------------------------------------------------


@transaction.atomic
def certificate_upload(
    *, vendor: Vendor, uploaded_by: User, kind: str, file: UploadedFile, expires_on: date | None
) -> BusinessCertificate:
    """Check the content, then store the file in the private storage and record it."""
    checked = check_document(file, max_bytes=settings.CERTIFICATE_MAX_BYTES)
    original_name = (file.name or "").rsplit("/", 1)[-1][:255]
    certificate = BusinessCertificate(
        vendor=vendor,
        kind=kind,
        original_filename=original_name,
        content_type=checked.content_type,
        size_bytes=file.size,
        expires_on=expires_on,
        uploaded_by=uploaded_by,
        uploaded_at=timezone.now(),
    )
    certificate.full_clean(exclude=["file"])
    # The stored key gets the extension of the real content, whatever the upload was named.
    certificate.file.save(f"certificate.{checked.extension}", file, save=False)
    try:
        certificate.save()
    except Exception:
        certificate.file.delete(save=False)
        raise
    return certificate


@transaction.atomic
def certificate_delete(*, certificate: BusinessCertificate) -> None:
    """Remove a certificate and its stored file (a task, once the row is surely gone)."""
    name = certificate.file.name
    certificate.delete()
    if name:
        stored_files_delete.delay_on_commit(PRIVATE_STORAGE, [name])


def _certificate_review(*, certificate: BusinessCertificate, by: User, status: str, note: str) -> BusinessCertificate:
    certificate = BusinessCertificate.objects.select_for_update().get(pk=certificate.pk)
    certificate.status = status
    certificate.reviewer = by
    certificate.reviewer_note = note
    certificate.reviewed_at = timezone.now()
    certificate.full_clean(exclude=["file"])
    certificate.save(update_fields=["status", "reviewer", "reviewer_note", "reviewed_at"])
    return certificate


@transaction.atomic
def certificate_approve(*, certificate: BusinessCertificate, by: User, note: str = "") -> BusinessCertificate:
    """Approve a business certificate after review."""
    return _certificate_review(certificate=certificate, by=by, status=CertificateStatus.APPROVED, note=note)


@transaction.atomic
def certificate_reject(*, certificate: BusinessCertificate, by: User, note: str = "") -> BusinessCertificate:
    """Reject a business certificate after review; the note tells the vendor why."""
    return _certificate_review(certificate=certificate, by=by, status=CertificateStatus.REJECTED, note=note)


# --- team -----------------------------------------------------------------------------------------------


@transaction.atomic
def member_invite_send(*, membership: VendorMember, invited_by: User | None, base_url: str) -> bool:
    """Email a new member the link to set their password, once; answers whether it was sent now.

    The membership row is locked and marked in the transaction of the send: a retry after a success
    (or a second worker given the same message) finds it marked and sends nothing, and a failed send
    rolls the mark back so the task's retry sends it.
    """
    pending = VendorMember.objects.select_for_update().filter(pk=membership.pk, invite_sent_at__isnull=True)
    if not pending.values_list("pk", flat=True):
        return False
    user, vendor = membership.user, membership.vendor
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("portal:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {"user": user, "vendor": vendor, "invited_by": invited_by, "link": f"{base_url.rstrip('/')}{path}"}
    send_mail(
        subject=f"You have been added to {vendor.business_name} on Food Trucks",
        message=render_to_string("portal/emails/member_invite.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    membership.invite_sent_at = timezone.now()
    membership.save(update_fields=["invite_sent_at"])
    return True


@transaction.atomic
def member_add(*, vendor: Vendor, email: str, role: str, invited_by: User, base_url: str) -> VendorMember:
    """Add a user to the vendor's team; a new email gets an account and, after commit, a set-password link
    (the send_member_invite task: an SMTP failure never undoes the membership or fails the request)."""
    if role not in Role.values:
        raise ValidationError({"role": "Choose owner, manager or staff."})
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:
            raise ValidationError({"email": "This email was just added by someone else; try again."}) from exc
    elif VendorMember.objects.filter(vendor=vendor, user=user).exists():
        raise ValidationError({"email": f"{email} is already on this team."})
    membership = VendorMember(vendor=vendor, user=user, role=role, created_at=timezone.now())
    membership.full_clean()
    try:
        with transaction.atomic():  # a concurrent add of the same person loses here, not with a 500
            membership.save()
    except IntegrityError as exc:
        raise ValidationError({"email": f"{email} is already on this team."}) from exc
    if created:
        send_member_invite.delay_on_commit(membership.pk, invited_by.pk, base_url)
    audit_record(
        vendor_id=vendor.pk,
        action=AuditAction.TEAM,
        obj=membership,
        summary=f"Added {email} to the team as {membership.get_role_display().lower()}",
        actor=invited_by,
    )
    return membership


def _lock_owners(vendor_id: int) -> list[VendorMember]:
    """Lock the vendor's owner rows, so two concurrent demotions cannot both pass the check."""
    return list(VendorMember.objects.select_for_update().filter(vendor_id=vendor_id, role=Role.OWNER).order_by("id"))


@transaction.atomic
def member_change_role(*, membership: VendorMember, role: str) -> VendorMember:
    if role not in Role.values:
        raise ValidationError({"role": "Choose owner, manager or staff."})
    owners = _lock_owners(membership.vendor_id)
    membership.refresh_from_db(fields=["role"])
    if membership.role == Role.OWNER and role != Role.OWNER and len(owners) == 1:
        raise ValidationError({"role": "A vendor needs at least one owner: make someone else owner first."})
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    if before != role:
        audit_record(
            vendor_id=membership.vendor_id,
            action=AuditAction.TEAM,
            obj=membership,
            summary=f"Made {membership.user.email} {membership.get_role_display().lower()}",
            changes={"role": [before, role]},
        )
    return membership


@transaction.atomic
def member_remove(*, membership: VendorMember) -> None:
    owners = _lock_owners(membership.vendor_id)
    membership.refresh_from_db(fields=["role"])
    if membership.role == Role.OWNER and len(owners) == 1:
        raise ValidationError("A vendor needs at least one owner: the last owner cannot be removed.")
    audit_record(
        vendor_id=membership.vendor_id,
        action=AuditAction.TEAM,
        obj=membership,
        summary=f"Removed {membership.user.email} from the team",
    )
    membership.delete()
