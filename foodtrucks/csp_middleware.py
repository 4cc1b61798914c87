"""The Content-Security-Policy header (django-csp), its common case built once.

django-csp builds the policy string from the settings on every response (two dataclass copies and a
walk of every directive: ~3 % of an API list page's CPU). A response that used no nonce and carries no
per-view change (@csp_update, @csp_replace, ...) gets the same string every time: every API answer,
every portal page without inline scripts. That string is kept per process, and dropped when a test
changes the setting (setting_changed). Every other response goes through django-csp unchanged.
"""

import http.client
from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What a view sets on its response to change its policy (django-csp's decorators).
_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_SETTINGS = {False: "CONTENT_SECURITY_POLICY", True: "CONTENT_SECURITY_POLICY_REPORT_ONLY"}


@cache
def _settings_policy(report_only: bool) -> tuple[str, tuple[str, ...]]:
    """The policy from the settings alone (no nonce), and the URL prefixes it skips."""
    configured = getattr(settings, _SETTINGS[report_only], None) or {}
    return build_policy(report_only=report_only), tuple(configured.get("EXCLUDE_URL_PREFIXES", None) or ())


@receiver(setting_changed)
def _forget_policy(*, setting, **kwargs) -> None:
    if setting in _SETTINGS.values():
        _settings_policy.cache_clear()


class CSPMiddleware(_CSPMiddleware):
    """django-csp's CSPMiddleware; the same headers, the settings' policy built once per process."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(hasattr(response, a) for a in _PER_RESPONSE):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND):
            return response
        for header, report_only, exempt in (
            (HEADER, False, "_csp_exempt"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro"),
        ):
            policy, excluded = _settings_policy(report_only)
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy
        # as django-csp does: a nonce asked for after the header was written is an error, not a silent gap
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
