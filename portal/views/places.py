"""Portal pages of places: places, hours, photos, check-in, menus and items.

Thin views: access through portal.access, validation in portal.forms.places, writes in
trucks.services; every page with a form is a PortalFormView (portal.forms_flow).
"""

from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from notifications.selectors import follower_counts, followers_an_opening_would_alert
from portal.access import PortalView
from portal.forms.places import (
    CalendarSubscriptionForm,
    CheckInForm,
    MenuForm,
    MenuItemForm,
    OpeningHoursFormSet,
    PhotoForm,
    PlaceForm,
    ScheduleExceptionForm,
)
from portal.forms_flow import PortalFormView
from trucks import services
from trucks.calendar_import import (
    MAX_FEED_BYTES,
    CalendarFeedError,
    calendar_preview,
    calendar_subscribe,
    calendar_sync,
    calendar_unsubscribe,
)
from trucks.models import CalendarSubscription, LocationSource, Weekday
from trucks.selectors import (
    default_time_zone_for_vendor,
    get_item_for_member_or_404,
    get_menu_for_member_or_404,
    get_place_for_member_or_404,
    portal_menus,
    portal_places,
)
from trucks.tasks import sync_calendar


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


class PlaceObjectMixin:
    def resolve_object(self):
        return get_place_for_member_or_404(self.request.user, self.kwargs["pk"], action="view")


class MenuObjectMixin:
    def resolve_object(self):
        return get_menu_for_member_or_404(self.request.user, self.kwargs["pk"], action="view")


class ItemObjectMixin:
    def resolve_object(self):
        return get_item_for_member_or_404(self.request.user, self.kwargs["pk"], action="view")

    def object_vendor_id(self, obj):
        return obj.menu.vendor_id


# --- places -----------------------------------------------------------------------------------------


def _menu_anchor(menu_id: int) -> str:
    """The menus page, scrolled to one menu."""
    return f"{reverse('portal:menus')}#menu-{menu_id}"


class ConfirmDeleteView(PortalView):
    """GET asks for confirmation, POST deletes through the service and says so.

    A subclass names `cancel_url_name` and defines `delete()`, which deletes `self.object` through
    its service and answers the URL to go to next.
    """

    warning = "This cannot be undone."

    def object_label(self) -> str:
        return f"“{self.object.name}”"

    def get(self, request, pk):
        context = self.get_context_data(
            object_label=self.object_label(), warning=self.warning, cancel_url=reverse(self.cancel_url_name)
        )
        return render(request, "portal/confirm_delete.html", context)

    def post(self, request, pk):
        label = self.object_label()
        next_url = self.delete()
        messages.success(request, f"{label} was deleted.")
        return redirect(next_url)


class PlaceListView(PortalView):
    permission = "view"

    def get(self, request):
        places = portal_places(self.vendor.pk)
        return render(request, "portal/places/list.html", self.get_context_data(places=places))


class PlaceCreateView(PortalFormView):
    permission = "edit_places"
    template_name = "portal/places/form.html"
    form_class = PlaceForm

    def get_form_kwargs(self):
        return {"initial": {"time_zone": default_time_zone_for_vendor(self.vendor) or ""}}

    def perform(self, form):
        return services.place_create(vendor=self.vendor, **form.cleaned_data)

    def success_message(self, form, place):
        return f"{place.name} was created. Now add its opening hours."

    def success_url(self, form, place):
        return reverse("portal:place_hours", kwargs={"pk": place.pk})


class PlaceEditView(PlaceObjectMixin, PortalFormView):
    permission = "edit_places"
    template_name = "portal/places/form.html"
    form_class = PlaceForm

    def get_form_kwargs(self):
        return {"instance": copy(self.object)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(place=self.object, **kwargs)

    def perform(self, form):
        return services.place_update(place=self.object, data=form.cleaned_data)

    def success_message(self, form, place):
        return f"{place.name} was saved."

    def success_url(self, form, place):
        return reverse("portal:places")


class PlaceDeleteView(PlaceObjectMixin, ConfirmDeleteView):
    permission = "edit_places"
    cancel_url_name = "portal:places"
    warning = "Its schedule, photos, ratings and statistics are deleted too. This cannot be undone."

    def object_label(self) -> str:
        return self.object.name

    def delete(self) -> str:
        services.place_delete(place=self.object)
        return reverse("portal:places")


class HoursPageMixin(PlaceObjectMixin):
    """The hours page: the whole week as one formset, and the dated exceptions with their form."""

    permission = "edit_places"
    template_name = "portal/places/hours.html"

    def get_context_data(self, **kwargs):
        if "formset" not in kwargs:
            kwargs["formset"] = OpeningHoursFormSet(instance=self.object, prefix="hours")
        if "exception_form" not in kwargs:
            kwargs["exception_form"] = ScheduleExceptionForm(place=self.object)
        exceptions = self.object.schedule_exceptions.order_by("date")
        return super().get_context_data(place=self.object, exceptions=exceptions, weekdays=list(Weekday), **kwargs)

    def success_url(self, form, result):
        return reverse("portal:place_hours", kwargs={"pk": self.object.pk})


class PlaceHoursView(HoursPageMixin, PortalFormView):
    form_class = OpeningHoursFormSet
    form_context_name = "formset"
    invalid_message = "The hours were not saved: please correct the rows marked below."

    def get_form_kwargs(self):
        return {"instance": self.object, "prefix": "hours"}

    def apply_errors(self, form, error):
        form._non_form_errors = form.error_class(error.messages)

    def perform(self, form):
        return services.opening_hours_replace(place=self.object, slots=form.slots())

    def success_message(self, form, result):
        return f"Opening hours of {self.object.name} were saved."


class ScheduleExceptionCreateView(HoursPageMixin, PortalFormView):
    """POST only: the form lives on the hours page, which shows it again when it is refused."""

    http_method_names = ["post", "options"]
    form_class = ScheduleExceptionForm
    form_context_name = "exception_form"
    invalid_message = "The exception was not added: please correct the fields marked below."

    def get_form_kwargs(self):
        return {"place": self.object}

    def perform(self, form):
        return services.schedule_exception_create(place=self.object, **form.cleaned_data)

    def success_message(self, form, exception):
        return f"Exception on {exception.date:%a %d %b %Y} was added."


class ScheduleExceptionDeleteView(PlaceObjectMixin, PortalView):
    permission = "edit_places"

    def post(self, request, pk, exception_pk):
        exception = get_object_or_404(self.object.schedule_exceptions, pk=exception_pk)
        services.schedule_exception_delete(exception=exception)
        messages.success(request, f"Exception on {exception.date:%a %d %b %Y} was removed.")
        return redirect("portal:place_hours", pk=self.object.pk)


class PlacePhotosView(PlaceObjectMixin, PortalFormView):
    permission = "edit_places"
    template_name = "portal/places/photos.html"
    form_class = PhotoForm
    invalid_message = "The photo was not added: see the message by the field."

    def get_context_data(self, **kwargs):
        photos = self.object.photos.order_by("position", "id")
        return super().get_context_data(place=self.object, photos=photos, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.photo_add(
            place=self.object, image=data["image"], caption=data["caption"], uploaded_by=self.request.user
        )

    def success_message(self, form, photo):
        return "The photo was added."

    def success_url(self, form, photo):
        return reverse("portal:place_photos", kwargs={"pk": self.object.pk})


class PlacePhotoMoveView(PlaceObjectMixin, PortalView):
    permission = "edit_places"

    def post(self, request, pk, photo_pk):
        photo = get_object_or_404(self.object.photos, pk=photo_pk)
        try:
            services.photo_move(photo=photo, direction=request.POST.get("direction", ""))
        except ValidationError:
            messages.error(request, "Move a photo up or down.")
        else:
            messages.success(request, "Photo order saved.")
        return redirect("portal:place_photos", pk=self.object.pk)


class PlacePhotoDeleteView(PlaceObjectMixin, PortalView):
    permission = "edit_places"

    def post(self, request, pk, photo_pk):
        photo = get_object_or_404(self.object.photos, pk=photo_pk)
        services.photo_delete(photo=photo)
        messages.success(request, "The photo was deleted.")
        return redirect("portal:place_photos", pk=self.object.pk)


class PlaceCheckInView(PlaceObjectMixin, PortalFormView):
    """ "Check in here": the browser's location (static/portal/checkin.js) or typed coordinates."""

    permission = "check_in"
    template_name = "portal/places/check_in.html"
    form_class = CheckInForm
    invalid_message = "The check-in was not saved: please correct the fields marked below."

    def get_form_kwargs(self):
        # Checking in means "I am here and open"; closing is the other choice (or "Close now"). The address is
        # never pre-filled: typed, it names this check-in's position; left empty, a move clears the old one.
        return {"initial": {"is_open": "1"}}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            place=self.object,
            followers=follower_counts(place_ids=[self.object.pk]).get(self.object.pk, 0),
            followers_alerted=followers_an_opening_would_alert(place=self.object),
            **kwargs,
        )

    def perform(self, form):
        data = form.cleaned_data
        self.previous_address = self.object.address
        return services.place_check_in(
            place=self.object,
            lat=data["lat"],
            lng=data["lng"],
            is_open=data["is_open"],
            source=LocationSource.PORTAL,
            address=data["address"],
        )

    def success_message(self, form, place):
        data = form.cleaned_data
        state = "open" if place.is_open else "closed"
        # The place comes back as stored: a newer check-in (another member's) may have been kept instead.
        moved = data["lat"] is not None
        if place.is_open != data["is_open"] or (moved and (place.lat, place.lng) != (data["lat"], data["lng"])):
            return f"A newer check-in was kept: {place.name} is shown as {state}."
        where = " at your location" if moved else ""
        cleared = " Its old address was cleared: it named the previous spot." if self._address_cleared(place) else ""
        return f"{place.name} is checked in{where} and shown as {state}.{cleared}"

    def _address_cleared(self, place) -> bool:
        return bool(getattr(self, "previous_address", "")) and not place.address

    def success_url(self, form, place):
        return _back(self.request, reverse("portal:dashboard"))


# --- menus and items ---------------------------------------------------------------------------------


class MenuListView(PortalView):
    permission = "view"

    def get(self, request):
        return render(request, "portal/menus/list.html", self.get_context_data(menus=portal_menus(self.vendor.pk)))


class MenuCreateView(PortalFormView):
    permission = "edit_menus"
    template_name = "portal/menus/menu_form.html"
    form_class = MenuForm

    def get_form_kwargs(self):
        return {"vendor": self.vendor}

    def perform(self, form):
        return services.menu_create(vendor=self.vendor, **form.cleaned_data)

    def success_message(self, form, menu):
        return f"Menu “{menu.name}” was created. Add its items."

    def success_url(self, form, menu):
        return _menu_anchor(menu.pk)


class MenuEditView(MenuObjectMixin, PortalFormView):
    permission = "edit_menus"
    template_name = "portal/menus/menu_form.html"
    form_class = MenuForm

    def get_form_kwargs(self):
        return {"instance": copy(self.object), "vendor": self.vendor}

    def get_context_data(self, **kwargs):
        return super().get_context_data(menu=self.object, **kwargs)

    def perform(self, form):
        return services.menu_update(menu=self.object, data=form.cleaned_data)

    def success_message(self, form, menu):
        return f"Menu “{menu.name}” was saved."

    def success_url(self, form, menu):
        return _menu_anchor(menu.pk)


class MenuDeleteView(MenuObjectMixin, ConfirmDeleteView):
    permission = "edit_menus"
    cancel_url_name = "portal:menus"
    warning = "All its items are deleted too. This cannot be undone."

    def object_label(self) -> str:
        return f"Menu “{self.object.name}”"

    def delete(self) -> str:
        services.menu_delete(menu=self.object)
        return reverse("portal:menus")


class MenuMoveView(MenuObjectMixin, PortalView):
    permission = "edit_menus"

    def post(self, request, pk):
        try:
            services.menu_move(menu=self.object, direction=request.POST.get("direction", ""))
        except ValidationError:
            messages.error(request, "Move a menu up or down.")
        else:
            messages.success(request, f"Menu “{self.object.name}” moved.")
        return redirect(_menu_anchor(self.object.pk))


class ItemCreateView(MenuObjectMixin, PortalFormView):
    permission = "edit_menus"
    template_name = "portal/menus/item_form.html"
    form_class = MenuItemForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(menu=self.object, **kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        data.pop("remove_photo")  # nothing to remove on a new item
        return services.item_create(menu=self.object, **data)

    def success_message(self, form, item):
        return f"“{item.name}” was added to {self.object.name}."

    def success_url(self, form, item):
        return _menu_anchor(self.object.pk)


class ItemEditView(ItemObjectMixin, PortalFormView):
    permission = "edit_menus"
    template_name = "portal/menus/item_form.html"
    form_class = MenuItemForm

    def get_form_kwargs(self):
        return {"instance": copy(self.object)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(menu=self.object.menu, item=self.object, **kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        photo, remove_photo = data.pop("photo"), data.pop("remove_photo")
        return services.item_update(item=self.object, data=data, photo=photo, remove_photo=remove_photo)

    def success_message(self, form, item):
        return f"“{item.name}” was saved."

    def success_url(self, form, item):
        return _menu_anchor(item.menu_id)


class ItemDeleteView(ItemObjectMixin, ConfirmDeleteView):
    permission = "edit_menus"
    cancel_url_name = "portal:menus"

    def delete(self) -> str:
        menu_id = self.object.menu_id
        services.item_delete(item=self.object)
        return _menu_anchor(menu_id)


class ItemMoveView(ItemObjectMixin, PortalView):
    permission = "edit_menus"

    def post(self, request, pk):
        try:
            services.item_move(item=self.object, direction=request.POST.get("direction", ""))
        except ValidationError:
            messages.error(request, "Move an item up or down.")
        else:
            messages.success(request, f"“{self.object.name}” moved.")
        return redirect(_menu_anchor(self.object.menu_id))


class ItemAvailabilityView(ItemObjectMixin, PortalView):
    """The one-click "sold out" / "back on" switch; staff may use it."""

    permission = "item_availability"

    def post(self, request, pk):
        available = request.POST.get("available") == "1"
        item = services.item_set_availability(item=self.object, is_available=available)
        state = "available again" if item.is_available else "marked sold out"
        messages.success(request, f"“{item.name}” is {state}.")
        return redirect(f"{reverse('portal:menus')}#item-{item.pk}")


# --- the vendor's own calendar ----------------------------------------------------------------------


class PlaceCalendarView(PlaceObjectMixin, PortalFormView):
    """Subscribe a calendar, see what it would import (before the first import), its last sync and error."""

    permission = "edit_places"
    template_name = "portal/places/calendar.html"
    form_class = CalendarSubscriptionForm
    invalid_message = "The calendar was not saved: see the message by the field."

    def get_context_data(self, **kwargs):
        subscription = CalendarSubscription.objects.filter(place=self.object).first()
        preview = preview_error = None
        if subscription is not None and subscription.imported_at is None:
            try:
                preview = calendar_preview(subscription=subscription)
            except CalendarFeedError as error:
                preview_error = str(error)
        return super().get_context_data(
            place=self.object, subscription=subscription, preview=preview, preview_error=preview_error, **kwargs
        )

    def perform(self, form):
        upload = form.cleaned_data["ics_file"]
        content = upload.read(MAX_FEED_BYTES + 1) if upload else None
        return calendar_subscribe(place=self.object, url=form.cleaned_data["url"], ics_content=content)

    def success_message(self, form, subscription):
        return "Calendar saved. Check the events below, then import them."

    def success_url(self, form, subscription):
        return reverse("portal:place_calendar", kwargs={"pk": self.object.pk})


class PlaceCalendarSyncView(PlaceObjectMixin, PortalView):
    """POST: the first import (after the preview), at once; later syncs on demand, in the background."""

    permission = "edit_places"

    def post(self, request, pk):
        subscription = CalendarSubscription.objects.filter(place=self.object).first()
        if subscription is None:
            messages.error(request, "No calendar is followed: add one first.")
        elif subscription.imported_at is None:
            result = calendar_sync(subscription_id=subscription.pk, first_import=True)
            if result.error:
                messages.error(request, f"Nothing was imported: {result.error}")
            else:
                messages.success(
                    request, f"Imported {result.created} stop(s); {result.skipped} event(s) were not stops."
                )
        else:
            sync_calendar.delay_on_commit(subscription.pk)
            messages.success(request, "The calendar is being synced; its stops change within a minute.")
        return redirect("portal:place_calendar", pk=self.object.pk)


class PlaceCalendarRemoveView(PlaceObjectMixin, PortalView):
    permission = "edit_places"

    def post(self, request, pk):
        calendar_unsubscribe(place=self.object)
        messages.success(request, "The calendar is no longer followed; the stops it made stay.")
        return redirect("portal:place_calendar", pk=self.object.pk)
