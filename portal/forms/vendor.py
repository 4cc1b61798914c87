"""Portal forms of a vendor and its team: login, certificates, team."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError

from portal.access import NOT_A_MEMBER_MESSAGE
from vendors.file_checks import check_document
from vendors.models import CertificateKind, Role, VendorMember


class PortalAuthenticationForm(AuthenticationForm):
    """Django's login form, letting in only users who belong to a vendor."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_a_vendor": NOT_A_MEMBER_MESSAGE,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not VendorMember.objects.filter(user=user).exists():
            raise ValidationError(self.error_messages["not_a_vendor"], code="not_a_vendor")


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form; also reaches team members invited by email who never set a password."""

    def get_users(self, email):
        yield from super().get_users(email)
        invited = VendorMember.objects.filter(
            user__email__iexact=email, user__is_active=True, user__password__startswith=UNUSABLE_PASSWORD_PREFIX
        ).select_related("user")
        seen = set()
        for membership in invited:
            if membership.user_id not in seen:
                seen.add(membership.user_id)
                yield membership.user


class CertificateUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=CertificateKind.choices)
    expires_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Leave empty if it does not expire."
    )
    file = forms.FileField(
        help_text="PDF, JPEG or PNG, up to 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = f"PDF, JPEG or PNG, up to {settings.CERTIFICATE_MAX_BYTES // 1_048_576} MB. Stored privately."

    def clean_file(self):
        file = self.cleaned_data["file"]
        check_document(file, max_bytes=settings.CERTIFICATE_MAX_BYTES)
        return file


class MemberAddForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(choices=Role.choices, initial=Role.STAFF)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
