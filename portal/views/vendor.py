"""Portal pages of a vendor and its team: login, dashboard, vendor switcher, certificates, team."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.generic import View

from analytics.selectors import today_so_far
from notifications.selectors import follower_counts
from portal.access import PortalTemplateView, PortalView, switch_vendor
from portal.forms.vendor import (
    CertificateUploadForm,
    MemberAddForm,
    MemberRoleForm,
    PortalAuthenticationForm,
    PortalPasswordResetForm,
)
from portal.forms_flow import PortalFormView
from trucks.selectors import portal_places
from vendors import services
from vendors.models import BusinessCertificate, Role, VendorMember
from vendors.selectors import (
    certificates_for_vendor,
    get_certificate_for_member_or_404,
    get_team_member_for_member_or_404,
    team_for_vendor,
)

EXPIRING_SOON_DAYS = 30
CERTIFICATE_SIGNER_SALT = "portal.certificate-file"


def _form_error_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- authentication -----------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "portal/auth/login.html"
    authentication_form = PortalAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/auth/password_reset.html"
    form_class = PortalPasswordResetForm
    email_template_name = "portal/emails/password_reset.txt"
    subject_template_name = "portal/emails/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/auth/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/auth/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/auth/password_reset_complete.html"


# --- dashboard and vendor switch --------------------------------------------------------------------


class DashboardView(PortalTemplateView):
    template_name = "portal/dashboard.html"
    permission = "view"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        places = list(portal_places(self.vendor.pk))
        today = today_so_far(places=places)
        followers = follower_counts(place_ids=[place.pk for place in places])
        for place in places:
            place.follower_count = followers.get(place.pk, 0)
        context["rows"] = [(place, today[place.pk]) for place in places]
        context["totals"] = {
            "views": sum(figures["views"] for figures in today.values()),
            "clicks": sum(figures["clicks"] for figures in today.values()),
            "open": sum(1 for place in places if place.is_open),
        }
        context["map_places"] = [_map_place(place) for place in places if place.lat is not None]
        return context


def _map_place(place) -> dict:
    """A place on the dashboard's map (static/portal/maps.js): where, open or closed, how fresh."""
    updated = None
    if place.location_updated_at:
        updated = f"{timesince(place.location_updated_at)} ago ({place.get_location_source_display().lower()})"
    return {
        "id": place.pk,
        "name": place.name,
        "lat": place.lat,
        "lng": place.lng,
        "is_open": place.is_open,
        "address": place.address,
        "updated": updated,
    }


class VendorSwitchView(PortalView):
    permission = "view"

    def post(self, request):
        try:
            vendor_id = int(request.POST.get("vendor", ""))
        except ValueError:
            vendor_id = 0
        membership = switch_vendor(request, vendor_id)
        if membership is None:
            raise Http404("No such vendor.")
        messages.success(request, f"You are now working for {membership.vendor}.")
        return redirect("portal:dashboard")


# --- certificates ------------------------------------------------------------------------------------


def certificate_link_token(certificate: BusinessCertificate) -> str:
    """URL-safe, signed and timestamped: which certificate, and which stored file of it."""
    return TimestampSigner(salt=CERTIFICATE_SIGNER_SALT).sign_object(
        {"id": certificate.pk, "file": certificate.file.name}
    )


def certificate_link(certificate: BusinessCertificate) -> str:
    """A short-lived link to the file: S3's presigned URL, or a signed portal URL on local storage."""
    storage = certificate.file.storage
    if isinstance(storage, FileSystemStorage):
        return reverse("portal:certificate_file", kwargs={"token": certificate_link_token(certificate)})
    return certificate.file.url


class CertificateListView(PortalFormView):
    template_name = "portal/certificates.html"
    permission = "certificates"
    form_class = CertificateUploadForm
    invalid_message = "The certificate was not uploaded: see the message by the field."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        soon = today + timedelta(days=EXPIRING_SOON_DAYS)
        rows = []
        for certificate in certificates_for_vendor(self.vendor.pk):
            expired = certificate.expires_on is not None and certificate.expires_on < today
            expiring = not expired and certificate.expires_on is not None and certificate.expires_on <= soon
            rows.append({"certificate": certificate, "expired": expired, "expiring_soon": expiring})
        context["rows"] = rows
        return context

    def apply_errors(self, form, error):
        form.add_error("file", error)  # whatever the service refused, it is about the file

    def perform(self, form):
        return services.certificate_upload(
            vendor=self.vendor,
            uploaded_by=self.request.user,
            kind=form.cleaned_data["kind"],
            file=form.cleaned_data["file"],
            expires_on=form.cleaned_data["expires_on"],
        )

    def success_message(self, form, certificate):
        return f"{certificate.get_kind_display()} uploaded. Our team will review it shortly."

    def success_url(self, form, certificate):
        return reverse("portal:certificates")


class CertificateOpenView(PortalView):
    """Checks who asks, then hands out a link that expires in PRIVATE_FILE_URL_SECONDS."""

    permission = "certificates"
    allow_site_staff = True

    def resolve_object(self):
        return get_certificate_for_member_or_404(self.request.user, self.kwargs["pk"], action="view")

    def resolve_object_for_site_staff(self):
        return get_object_or_404(BusinessCertificate, pk=self.kwargs["pk"])

    def get(self, request, pk):
        response = HttpResponseRedirect(certificate_link(self.object))
        response["Cache-Control"] = "private, no-store"
        return response


class CertificateFileView(View):  # no login: the signed, expiring token is the permission (like S3's)
    """Streams a certificate from local private storage, if the signed link is genuine and fresh."""

    def get(self, request, token):
        signer = TimestampSigner(salt=CERTIFICATE_SIGNER_SALT)
        try:
            value = signer.unsign_object(token, max_age=settings.PRIVATE_FILE_URL_SECONDS)
        except SignatureExpired as exc:
            raise Http404("This link has expired; open the certificate again from the portal.") from exc
        except BadSignature as exc:
            raise Http404("No such file.") from exc
        name = value["file"]
        certificate = get_object_or_404(BusinessCertificate, pk=value["id"], file=name)
        response = FileResponse(
            certificate.file.open("rb"),
            content_type=certificate.content_type or "application/octet-stream",
            filename=certificate.original_filename or name.rsplit("/", 1)[-1],
        )
        response["Cache-Control"] = "private, no-store"
        return response


class CertificateDeleteView(PortalView):
    permission = "certificates"

    def resolve_object(self):
        return get_certificate_for_member_or_404(self.request.user, self.kwargs["pk"], action="view")

    def post(self, request, pk):
        kind = self.object.get_kind_display()
        services.certificate_delete(certificate=self.object)
        messages.success(request, f"{kind} deleted.")
        return redirect("portal:certificates")


# --- team ---------------------------------------------------------------------------------------------


class TeamView(PortalFormView):
    template_name = "portal/team.html"
    permission = "team"
    form_class = MemberAddForm
    invalid_message = "Nobody was added: see the message by the field."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = list(team_for_vendor(self.vendor.pk))
        context["members"] = [(member, MemberRoleForm(initial={"role": member.role})) for member in members]
        context["owner_count"] = sum(1 for member in members if member.role == Role.OWNER)
        return context

    def perform(self, form):
        return services.member_add(
            vendor=self.vendor,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=self.request.user,
            base_url=self.request.build_absolute_uri("/"),
        )

    def success_message(self, form, membership):
        note = "" if membership.user.has_usable_password() else " We emailed them a link to set their password."
        return f"{membership.user.email} joined as {membership.get_role_display().lower()}.{note}"

    def success_url(self, form, membership):
        return reverse("portal:team")


class MemberRoleView(PortalView):
    permission = "team"

    def resolve_object(self):
        return get_team_member_for_member_or_404(self.request.user, self.kwargs["pk"], action="view")

    def post(self, request, pk):
        form = MemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose owner, manager or staff.")
            return redirect("portal:team")
        try:
            membership = services.member_change_role(membership=self.object, role=form.cleaned_data["role"])
        except ValidationError as error:
            _form_error_messages(request, error)
            return redirect("portal:team")
        messages.success(request, f"{membership.user.email} is now {membership.get_role_display().lower()}.")
        return redirect("portal:team")


class MemberRemoveView(PortalView):
    permission = "team"

    def resolve_object(self):
        return get_team_member_for_member_or_404(self.request.user, self.kwargs["pk"], action="view")

    def post(self, request, pk):
        email = self.object.user.email
        try:
            services.member_remove(membership=self.object)
        except ValidationError as error:
            _form_error_messages(request, error)
            return redirect("portal:team")
        messages.success(request, f"{email} was removed from the team.")
        if self.object.user_id == request.user.pk:
            if not VendorMember.objects.filter(user=request.user).exists():
                logout(request)
                return redirect("portal:login")
            return redirect("portal:dashboard")
        return redirect("portal:team")
