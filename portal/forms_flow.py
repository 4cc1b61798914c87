"""The portal's form-post flow, written once.

GET shows the form. POST binds it; when it is valid, `perform()` calls one service. A ValidationError
the service raises goes onto the form's fields, like the form's own errors. Success: a message and a
redirect. Anything refused: the same page again, status 400, with a "nothing was saved" message.
"""

from abc import ABC, abstractmethod
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from portal.access import PortalView

INVALID_FORM_MESSAGE = "Nothing was saved: please correct the fields marked below."


def apply_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields go to the top)."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


class PortalFormView(PortalView, ABC):
    """A portal page with one form (or formset) that one service saves.

    A subclass names `permission`, `template_name` and `form_class`, and defines `perform()`,
    `success_message()` and `success_url()`. Optional hooks: `get_form_kwargs()` (instance, vendor,
    place, prefix, initial: an edit form gets a copy of the object, since a ModelForm writes the POST
    onto its instance), `get_context_data()`, `form_context_name`, `invalid_message`, and
    `apply_errors()` for a form that shows a service's errors somewhere else than by the field.
    """

    template_name: str
    form_class: type
    form_context_name = "form"
    invalid_message = INVALID_FORM_MESSAGE

    def get_form_kwargs(self) -> dict[str, Any]:
        return {}

    def get_form(self, data=None, files=None):
        return self.form_class(data, files, **self.get_form_kwargs())

    @abstractmethod
    def perform(self, form) -> Any:
        """Call the one service with the form's cleaned data; may raise ValidationError."""

    @abstractmethod
    def success_message(self, form, result) -> str:
        """What the vendor is told after `perform()` answered `result`."""

    @abstractmethod
    def success_url(self, form, result) -> str:
        """Where the vendor goes next."""

    def apply_errors(self, form, error: ValidationError) -> None:
        apply_service_errors(form, error)

    def render_form(self, form, *, status: int = 200) -> HttpResponse:
        context = self.get_context_data(**{self.form_context_name: form})
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = self.perform(form)
            except ValidationError as error:
                self.apply_errors(form, error)
            else:
                messages.success(request, self.success_message(form, result))
                return redirect(self.success_url(form, result))
        messages.error(request, self.invalid_message)
        return self.render_form(form, status=400)
