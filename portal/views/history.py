"""Portal History: who checked in, changed hours, exceptions, places, menus, items or the team, and when."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render

from portal.access import PortalView
from trucks.selectors import places_for_member
from vendors.models import AuditAction
from vendors.selectors import audit_entries_for_member

ENTRIES_PER_PAGE = 50


class HistoryFilterForm(forms.Form):
    place = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Truck or stand")
    action = forms.ChoiceField(required=False, choices=[("", "Everything"), *AuditAction.choices], label="What")

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", "All trucks and stands"), *[(place.pk, place.name) for place in places]]


class HistoryView(PortalView):
    permission = "history"

    def get(self, request):
        places = list(places_for_member(request.user, self.vendor.pk, action="history").order_by("name"))
        form = HistoryFilterForm(request.GET or None, places=places)
        filters = form.cleaned_data if form.is_valid() else {}
        entries = audit_entries_for_member(
            request.user, self.vendor.pk, place_id=filters.get("place"), action=filters.get("action")
        ).select_related("actor")
        page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = self.get_context_data(filter_form=form, page=page, query=query.urlencode())
        return render(request, "portal/history.html", context, status=400 if form.errors else 200)
