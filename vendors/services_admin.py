"""Staff decisions on vendors and their certificates (called by the Django Admin actions)."""

from django.db import transaction
from django.utils import timezone

from vendors.models import BusinessCertificate, CertificateStatus, Vendor, VerificationStatus


def _vendor_set_status(*, vendor: Vendor, by, status: str, note: str) -> Vendor:
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    vendor.verification_status = status
    vendor.verification_note = note
    vendor.verified_at = timezone.now()
    vendor.verified_by = by
    vendor.full_clean()
    vendor.save(update_fields=["verification_status", "verification_note", "verified_at", "verified_by", "updated_at"])
    return vendor


@transaction.atomic
def vendor_verify(*, vendor: Vendor, by, note: str = "") -> Vendor:
    """Mark a vendor verified by a staff member, now."""
    return _vendor_set_status(vendor=vendor, by=by, status=VerificationStatus.VERIFIED, note=note)


@transaction.atomic
def vendor_reject(*, vendor: Vendor, by, note: str = "") -> Vendor:
    """Mark a vendor rejected by a staff member, now (the decision and who made it are kept)."""
    return _vendor_set_status(vendor=vendor, by=by, status=VerificationStatus.REJECTED, note=note)


def _certificate_review(*, certificate: BusinessCertificate, by, status: str, note: str) -> BusinessCertificate:
    certificate = BusinessCertificate.objects.select_for_update().get(pk=certificate.pk)
    certificate.status = status
    certificate.reviewer = by
    certificate.reviewer_note = note
    certificate.reviewed_at = timezone.now()
    certificate.full_clean(exclude=["file"])
    certificate.save(update_fields=["status", "reviewer", "reviewer_note", "reviewed_at"])
    return certificate


@transaction.atomic
def certificate_approve(*, certificate: BusinessCertificate, by, note: str = "") -> BusinessCertificate:
    """Approve a business certificate after review."""
    return _certificate_review(certificate=certificate, by=by, status=CertificateStatus.APPROVED, note=note)


@transaction.atomic
def certificate_reject(*, certificate: BusinessCertificate, by, note: str = "") -> BusinessCertificate:
    """Reject a business certificate after review; the note tells the vendor why."""
    return _certificate_review(certificate=certificate, by=by, status=CertificateStatus.REJECTED, note=note)
