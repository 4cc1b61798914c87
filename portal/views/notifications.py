"""Portal email settings: the weekly summary's toggle, and the email's signed one-click unsubscribe."""

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from portal.forms_flow import PortalFormView
from vendors.reminders import weekly_summary_set, weekly_summary_unsubscribe


class EmailSettingsForm(forms.Form):
    weekly_summary = forms.BooleanField(
        required=False,
        label="Weekly summary email",
        help_text="Mondays: last week's views, clicks and ratings of each place. Sent to owners.",
    )


class EmailSettingsView(PortalFormView):
    permission = "view"
    template_name = "portal/email_settings.html"
    form_class = EmailSettingsForm

    def get_form_kwargs(self):
        return {"initial": {"weekly_summary": self.membership.weekly_summary}}

    def perform(self, form):
        return weekly_summary_set(membership=self.membership, enabled=form.cleaned_data["weekly_summary"])

    def success_message(self, form, membership):
        state = "on" if membership.weekly_summary else "off"
        return f"The weekly summary email is {state} for {membership.vendor}."

    def success_url(self, form, membership):
        return reverse("portal:email_settings")


# The link is its own proof (signed); mail clients' one-click POST (RFC 8058) carries no CSRF token.
@method_decorator(csrf_exempt, name="dispatch")
class SummaryUnsubscribeView(View):
    def get(self, request, token: str):
        return self.unsubscribe(request, token)

    def post(self, request, token: str):
        return self.unsubscribe(request, token)

    def unsubscribe(self, request, token: str):
        membership = weekly_summary_unsubscribe(token)
        context = {"membership": membership, "can": frozenset()}
        return render(request, "portal/summary_unsubscribed.html", context, status=200 if membership else 400)
