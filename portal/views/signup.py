"""The public vendor sign-up: a new owner and a vendor pending verification, then signed in."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View
from rest_framework.throttling import SimpleRateThrottle

from foodtrucks.lockout import client_ip
from portal.forms.signup import VendorSignUpForm
from portal.forms_flow import INVALID_FORM_MESSAGE, apply_service_errors
from vendors.services import vendor_sign_up


class SignUpThrottle(SimpleRateThrottle):
    """The API register endpoint's limit (REST_FRAMEWORK's "register" rate), per client address: one
    budget for creating accounts whichever door is used, counted in the same (Redis) cache."""

    scope = "register"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": "portal-signup", "ident": client_ip(request) or "unknown"}


class SignUpView(View):
    template_name = "portal/auth/signup.html"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("portal:dashboard")
        return render(request, self.template_name, {"form": VendorSignUpForm()})

    def post(self, request):
        if request.user.is_authenticated:
            return redirect("portal:dashboard")
        throttle = SignUpThrottle()
        if not throttle.allow_request(request, self):
            wait = throttle.wait()
            response = render(request, "portal/auth/signup_throttled.html", {"minutes": _minutes(wait)}, status=429)
            if wait:
                response["Retry-After"] = str(int(wait) + 1)
            return response
        form = VendorSignUpForm(request.POST)
        if form.is_valid():
            try:
                user, vendor = vendor_sign_up(**form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, f"Welcome! {vendor.business_name} is set up and waiting for verification by our staff."
                )
                return redirect("portal:dashboard")
        messages.error(request, INVALID_FORM_MESSAGE)
        return render(request, self.template_name, {"form": form}, status=400)


def _minutes(seconds: float | None) -> int | None:
    return max(1, round(seconds / 60)) if seconds else None
