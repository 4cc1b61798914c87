"""Portal pages of places: places, hours, photos, check-in, menus and items.

Thin views: access through portal.access, validation in portal.forms.places, writes in
trucks.services.
"""

from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from portal.access import PortalView
from portal.forms.places import (
    CheckInForm,
    MenuForm,
    MenuItemForm,
    OpeningHoursFormSet,
    PhotoForm,
    PlaceForm,
    ScheduleExceptionForm,
)
from trucks import services
from trucks.models import LocationSource
from trucks.selectors import (
    get_item_for_member_or_404,
    get_menu_for_member_or_404,
    get_place_for_member_or_404,
    portal_menus,
    portal_places,
)

INVALID_FORM_MESSAGE = "Nothing was saved: please correct the fields marked below."


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields go to the top)."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


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


class PlaceCreateView(PortalView):
    permission = "edit_places"
    template_name = "portal/places/form.html"

    def get(self, request):
        return render(request, self.template_name, self.get_context_data(form=PlaceForm()))

    def post(self, request):
        form = PlaceForm(request.POST)
        if form.is_valid():
            try:
                place = services.place_create(vendor=self.vendor, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"{place.name} was created. Now add its opening hours.")
                return redirect("portal:place_hours", pk=place.pk)
        messages.error(request, INVALID_FORM_MESSAGE)
        return render(request, self.template_name, self.get_context_data(form=form), status=400)


class PlaceEditView(PlaceObjectMixin, PortalView):
    permission = "edit_places"
    template_name = "portal/places/form.html"

    def get(self, request, pk):
        form = PlaceForm(instance=self.object)
        return render(request, self.template_name, self.get_context_data(form=form, place=self.object))

    def post(self, request, pk):
        form = PlaceForm(request.POST, instance=copy(self.object))
        if form.is_valid():
            try:
                place = services.place_update(place=self.object, data=form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"{place.name} was saved.")
                return redirect("portal:places")
        messages.error(request, INVALID_FORM_MESSAGE)
        return render(request, self.template_name, self.get_context_data(form=form, place=self.object), status=400)


class PlaceDeleteView(PlaceObjectMixin, ConfirmDeleteView):
    permission = "edit_places"
    cancel_url_name = "portal:places"
    warning = "Its schedule, photos, ratings and statistics are deleted too. This cannot be undone."

    def object_label(self) -> str:
        return self.object.name

    def delete(self) -> str:
        services.place_delete(place=self.object)
        return reverse("portal:places")


class PlaceHoursView(PlaceObjectMixin, PortalView):
    """The whole week as one form, plus the dated exceptions."""

    permission = "edit_places"
    template_name = "portal/places/hours.html"

    def _render(self, formset, exception_form, status=200):
        exceptions = self.object.schedule_exceptions.order_by("date")
        context = self.get_context_data(
            place=self.object, formset=formset, exception_form=exception_form, exceptions=exceptions
        )
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self._render(
            OpeningHoursFormSet(instance=self.object, prefix="hours"), ScheduleExceptionForm(place=self.object)
        )

    def post(self, request, pk):
        formset = OpeningHoursFormSet(request.POST, instance=self.object, prefix="hours")
        if formset.is_valid():
            try:
                services.opening_hours_replace(place=self.object, slots=formset.slots())
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(error.messages)
            else:
                messages.success(request, f"Opening hours of {self.object.name} were saved.")
                return redirect("portal:place_hours", pk=self.object.pk)
        messages.error(request, "The hours were not saved: please correct the rows marked below.")
        return self._render(formset, ScheduleExceptionForm(place=self.object), status=400)


class ScheduleExceptionCreateView(PlaceObjectMixin, PortalView):
    permission = "edit_places"

    def post(self, request, pk):
        form = ScheduleExceptionForm(request.POST, place=self.object)
        if form.is_valid():
            try:
                exception = services.schedule_exception_create(place=self.object, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Exception on {exception.date:%a %d %b %Y} was added.")
                return redirect("portal:place_hours", pk=self.object.pk)
        messages.error(request, "The exception was not added: please correct the fields marked below.")
        exceptions = self.object.schedule_exceptions.order_by("date")
        context = self.get_context_data(
            place=self.object,
            formset=OpeningHoursFormSet(instance=self.object, prefix="hours"),
            exception_form=form,
            exceptions=exceptions,
        )
        return render(request, "portal/places/hours.html", context, status=400)


class ScheduleExceptionDeleteView(PlaceObjectMixin, PortalView):
    permission = "edit_places"

    def post(self, request, pk, exception_pk):
        exception = get_object_or_404(self.object.schedule_exceptions, pk=exception_pk)
        services.schedule_exception_delete(exception=exception)
        messages.success(request, f"Exception on {exception.date:%a %d %b %Y} was removed.")
        return redirect("portal:place_hours", pk=self.object.pk)


class PlacePhotosView(PlaceObjectMixin, PortalView):
    permission = "edit_places"
    template_name = "portal/places/photos.html"

    def _render(self, form, status=200):
        context = self.get_context_data(
            place=self.object, form=form, photos=self.object.photos.order_by("position", "id")
        )
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self._render(PhotoForm())

    def post(self, request, pk):
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.photo_add(
                    place=self.object,
                    image=form.cleaned_data["image"],
                    caption=form.cleaned_data["caption"],
                    uploaded_by=request.user,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "The photo was added.")
                return redirect("portal:place_photos", pk=self.object.pk)
        messages.error(request, "The photo was not added: see the message by the field.")
        return self._render(form, status=400)


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


class PlaceCheckInView(PlaceObjectMixin, PortalView):
    """ "Check in here": the browser's location (static/portal/checkin.js) or typed coordinates."""

    permission = "check_in"
    template_name = "portal/places/check_in.html"

    def _render(self, form, status=200):
        return render(
            self.request, self.template_name, self.get_context_data(place=self.object, form=form), status=status
        )

    def get(self, request, pk):
        # Checking in means "I am here and open"; closing is the other choice (or "Close now").
        initial = {"is_open": "1", "address": self.object.address}
        return self._render(CheckInForm(initial=initial))

    def post(self, request, pk):
        form = CheckInForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                place = services.place_check_in(
                    place=self.object,
                    lat=data["lat"],
                    lng=data["lng"],
                    is_open=data["is_open"],
                    source=LocationSource.PORTAL,
                    address=data["address"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                where = " at your location" if data["lat"] is not None else ""
                state = "open" if place.is_open else "closed"
                messages.success(request, f"{place.name} is checked in{where} and shown as {state}.")
                return redirect(_back(request, reverse("portal:dashboard")))
        messages.error(request, "The check-in was not saved: please correct the fields marked below.")
        return self._render(form, status=400)


# --- menus and items ---------------------------------------------------------------------------------


class MenuListView(PortalView):
    permission = "view"

    def get(self, request):
        return render(request, "portal/menus/list.html", self.get_context_data(menus=portal_menus(self.vendor.pk)))


class MenuCreateView(PortalView):
    permission = "edit_menus"
    template_name = "portal/menus/menu_form.html"

    def get(self, request):
        return render(request, self.template_name, self.get_context_data(form=MenuForm(vendor=self.vendor)))

    def post(self, request):
        form = MenuForm(request.POST, vendor=self.vendor)
        if form.is_valid():
            try:
                menu = services.menu_create(vendor=self.vendor, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Menu “{menu.name}” was created. Add its items.")
                return redirect(_menu_anchor(menu.pk))
        messages.error(request, INVALID_FORM_MESSAGE)
        return render(request, self.template_name, self.get_context_data(form=form), status=400)


class MenuEditView(MenuObjectMixin, PortalView):
    permission = "edit_menus"
    template_name = "portal/menus/menu_form.html"

    def get(self, request, pk):
        form = MenuForm(instance=self.object, vendor=self.vendor)
        return render(request, self.template_name, self.get_context_data(form=form, menu=self.object))

    def post(self, request, pk):
        form = MenuForm(request.POST, instance=copy(self.object), vendor=self.vendor)
        if form.is_valid():
            try:
                menu = services.menu_update(menu=self.object, data=form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Menu “{menu.name}” was saved.")
                return redirect(_menu_anchor(menu.pk))
        messages.error(request, INVALID_FORM_MESSAGE)
        return render(request, self.template_name, self.get_context_data(form=form, menu=self.object), status=400)


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


class ItemCreateView(MenuObjectMixin, PortalView):
    permission = "edit_menus"
    template_name = "portal/menus/item_form.html"

    def get(self, request, pk):
        return render(request, self.template_name, self.get_context_data(form=MenuItemForm(), menu=self.object))

    def post(self, request, pk):
        form = MenuItemForm(request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("remove_photo")  # nothing to remove on a new item
            try:
                item = services.item_create(menu=self.object, **data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"“{item.name}” was added to {self.object.name}.")
                return redirect(_menu_anchor(self.object.pk))
        messages.error(request, INVALID_FORM_MESSAGE)
        return render(request, self.template_name, self.get_context_data(form=form, menu=self.object), status=400)


class ItemEditView(ItemObjectMixin, PortalView):
    permission = "edit_menus"
    template_name = "portal/menus/item_form.html"

    def get(self, request, pk):
        form = MenuItemForm(instance=self.object)
        return render(
            request, self.template_name, self.get_context_data(form=form, menu=self.object.menu, item=self.object)
        )

    def post(self, request, pk):
        form = MenuItemForm(request.POST, request.FILES, instance=copy(self.object))
        if form.is_valid():
            data = dict(form.cleaned_data)
            photo, remove_photo = data.pop("photo"), data.pop("remove_photo")
            try:
                item = services.item_update(item=self.object, data=data, photo=photo, remove_photo=remove_photo)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"“{item.name}” was saved.")
                return redirect(_menu_anchor(item.menu_id))
        messages.error(request, INVALID_FORM_MESSAGE)
        context = self.get_context_data(form=form, menu=self.object.menu, item=self.object)
        return render(request, self.template_name, context, status=400)


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
