"""Portal forms of places: places, weekly hours, exceptions, photos, check-in, menus."""

import zoneinfo
from datetime import time

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from trucks.models import (
    Category,
    ExceptionKind,
    Menu,
    MenuItem,
    OpeningHours,
    Place,
    ScheduleException,
    Weekday,
)

US_TIME_ZONES = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Detroit", "Eastern (Detroit)"),
    ("America/Indiana/Indianapolis", "Eastern (Indianapolis)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Boise", "Mountain (Boise)"),
    ("America/Phoenix", "Mountain, no DST (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico)"),
    ("Pacific/Guam", "Chamorro (Guam)"),
]


def time_zone_choices():
    us = {zone for zone, _ in US_TIME_ZONES}
    others = sorted(zone for zone in zoneinfo.available_timezones() if zone not in us and "/" in zone)
    return [("United States", US_TIME_ZONES), ("Other IANA zones", [(zone, zone) for zone in others])]


class FieldMessagesMixin:
    """Drop the model's generic "Constraint … is violated." when the form already said why, by field."""

    def _post_clean(self):
        super()._post_clean()
        general = self.errors.get("__all__")
        if general and len(self.errors) > 1:
            kept = [message for message in general if not message.startswith("Constraint “")]
            if kept:
                self.errors["__all__"] = self.error_class(kept)
            else:
                del self.errors["__all__"]


class CoordinatesMixin:
    """Latitude and longitude come together or not at all."""

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        if (lat is None) != (lng is None) and not self.has_error("lat") and not self.has_error("lng"):
            self.add_error("lng" if lng is None else "lat", "Give both latitude and longitude, or neither.")
        return cleaned


def _coordinate_field(label: str, bound: float) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        min_value=-bound,
        max_value=bound,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def time_zone_choices_with_blank():
    return [("", "Choose a time zone"), *time_zone_choices()]


class PlaceForm(FieldMessagesMixin, CoordinatesMixin, forms.ModelForm):
    # A new place's zone starts as the vendor's (PlaceCreateView); left empty, static/portal/maps.js picks
    # the browser's zone (data-browser-time-zone).
    time_zone = forms.ChoiceField(
        choices=time_zone_choices_with_blank,
        widget=forms.Select(attrs={"data-browser-time-zone": ""}),
        help_text="Opening hours are local times in this zone.",
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    lat = _coordinate_field("Latitude", 90)
    lng = _coordinate_field("Longitude", 180)

    class Meta:
        model = Place
        fields = ["kind", "name", "description", "categories", "time_zone", "address", "city", "state", "lat", "lng"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "kind": forms.RadioSelect}


class OpeningHoursForm(FieldMessagesMixin, CoordinatesMixin, forms.ModelForm):
    lat = _coordinate_field("Latitude", 90)
    lng = _coordinate_field("Longitude", 180)

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes", "address", "lat", "lng"]
        widgets = {
            # the day is the group the slot sits in on the page (one fieldset per day)
            "weekday": forms.HiddenInput,
            "opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {"address": "Planned stop"}

    def has_changed(self):
        """A slot is filled in when a time or the stop is: the day alone (the group's) and "Remove" are not."""
        return any(name not in ("weekday", "DELETE") for name in self.changed_data)

    def runs_past_midnight(self) -> bool:
        """20:00–02:00: the slot closes the next day (the page says "(next day)")."""
        opens, closes = (_hhmm(self[name].value()) for name in ("opens", "closes"))
        return bool(opens and closes) and closes <= opens

    def has_stop(self) -> bool:
        return any(self[name].value() not in (None, "") for name in ("address", "lat", "lng")) or any(
            self.has_error(name) for name in ("address", "lat", "lng")
        )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens is not None and closes is not None and opens == closes:
            self.add_error("closes", "Closing time must differ from opening time.")
        return cleaned

    def validate_unique(self):
        """The formset checks overlaps (a stricter rule); the week is replaced as a whole."""


def _hhmm(value) -> str:
    """A time field's value as "HH:MM", whether it is a time (initial) or the text a browser sent."""
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return str(value or "").strip()[:5]


MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def slot_interval(weekday: int, opens: time, closes: time) -> tuple[int, int]:
    """Minutes since Monday 00:00: a slot closing at or before it opens runs past midnight."""
    start = weekday * MINUTES_PER_DAY + _minutes(opens)
    length = (_minutes(closes) - _minutes(opens)) % MINUTES_PER_DAY
    return start, start + length


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # The week wraps: Sunday 22:00–02:00 reaches into Monday.
    return any(a[0] < b[1] + shift and b[0] + shift < a[1] for shift in (-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK))


class BaseOpeningHoursFormSet(BaseInlineFormSet):
    """The whole week in one form: each day's saved slots, plus one empty slot per day (more are added
    on the page by static/portal/hours.js; without JS, save and the day gets a new empty slot)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", [{"weekday": day} for day in Weekday.values])
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove"  # the one word for it: the help text says the same

    def days(self) -> list[tuple[Weekday, list[forms.Form]]]:
        """The forms grouped by their day, Monday first: what the page shows, one fieldset a day."""
        grouped: dict[int, list[forms.Form]] = {day: [] for day in Weekday.values}
        for form in self.forms:
            try:
                day = int(form["weekday"].value())
            except (TypeError, ValueError):
                day = Weekday.MONDAY
            grouped.get(day, grouped[Weekday.MONDAY]).append(form)
        return [(Weekday(day), forms_of_day) for day, forms_of_day in grouped.items()]

    def validate_unique(self):
        """Two slots starting at the same time also overlap: the overlap check below says it by the field."""

    def clean(self):
        super().clean()
        seen: list[tuple[tuple[int, int], forms.Form]] = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or self._should_delete_form(form):
                continue
            data = form.cleaned_data
            if data.get("weekday") is None or not data.get("opens") or not data.get("closes"):
                continue
            if data["opens"] == data["closes"]:
                continue
            interval = slot_interval(int(data["weekday"]), data["opens"], data["closes"])
            for other_interval, other in seen:
                if _overlaps(interval, other_interval):
                    o = other.cleaned_data
                    form.add_error(
                        "opens",
                        f"Overlaps {Weekday(int(o['weekday'])).label} {o['opens']:%H:%M}–{o['closes']:%H:%M}.",
                    )
                    break
            else:
                seen.append((interval, form))

    def slots(self) -> list[dict]:
        """The week as the form says it: filled rows not marked for deletion."""
        return [form.cleaned_data for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]


OpeningHoursFormSet = inlineformset_factory(
    Place,
    OpeningHours,
    form=OpeningHoursForm,
    formset=BaseOpeningHoursFormSet,
    extra=len(Weekday.values),
    can_delete=True,
    max_num=50,
    validate_max=True,
)


class ScheduleExceptionForm(FieldMessagesMixin, CoordinatesMixin, forms.ModelForm):
    lat = _coordinate_field("Latitude", 90)
    lng = _coordinate_field("Longitude", 180)

    class Meta:
        model = ScheduleException
        fields = ["date", "kind", "opens", "closes", "address", "lat", "lng", "note"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, place: Place, **kwargs):
        super().__init__(*args, **kwargs)
        self.place = place

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("date")
        if day is not None and ScheduleException.objects.filter(place=self.place, date=day).exists():
            self.add_error("date", "This place already has an exception on that day; delete it first.")
        kind, opens, closes = cleaned.get("kind"), cleaned.get("opens"), cleaned.get("closes")
        if kind and kind != ExceptionKind.CLOSED:
            if opens is None and not self.has_error("opens"):
                self.add_error("opens", "Give the opening time for this day.")
            if closes is None and not self.has_error("closes"):
                self.add_error("closes", "Give the closing time for this day.")
            if opens is not None and closes is not None and opens == closes:
                self.add_error("closes", "Closing time must differ from opening time.")
        elif kind == ExceptionKind.CLOSED:
            cleaned["opens"] = cleaned["closes"] = None
        return cleaned


class PhotoForm(forms.Form):
    """The photo itself is checked and re-encoded by photo_add (vendors.images.clean_image): its errors
    come back by the field through the form flow."""

    image = forms.FileField(
        label="Photo",
        help_text="JPEG or PNG, up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    caption = forms.CharField(max_length=200, required=False)


class CheckInForm(CoordinatesMixin, forms.Form):
    lat = _coordinate_field("Latitude", 90)
    lng = _coordinate_field("Longitude", 180)
    address = forms.CharField(
        max_length=255,
        required=False,
        label="Address here",
        help_text="Optional, e.g. “5th & Main, by the park”. Moving without one clears the old address.",
    )
    is_open = forms.TypedChoiceField(
        label="Open switch",
        choices=[("1", "Open now"), ("0", "Closed")],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )


class MenuForm(FieldMessagesMixin, forms.ModelForm):
    places = forms.ModelMultipleChoiceField(
        queryset=Place.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Menu
        fields = ["name", "menu_type", "description", "places", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the vendor's own places can be chosen: another vendor's place is not even listed.
        self.fields["places"].queryset = Place.objects.filter(vendor=vendor).order_by("name")


class MenuItemForm(forms.ModelForm):
    """The item's fields as typed. The item's rules (a vegan item is vegetarian, the price in cents, the
    photo re-encoded) are item_create's and item_update's: they apply them and validate the whole item,
    and the form flow shows their errors by the field. So the form does not validate the model itself
    beforehand."""

    price = forms.DecimalField(
        min_value=0,
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    photo = forms.FileField(
        required=False,
        help_text="JPEG or PNG, up to 5 MB.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    remove_photo = forms.BooleanField(required=False, label="Remove the current photo")

    class Meta:
        model = MenuItem
        fields = ["name", "description", "price", "is_vegan", "is_vegetarian", "is_gluten_free", "is_available"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {"is_vegan": "Vegan", "is_vegetarian": "Vegetarian", "is_gluten_free": "Gluten-free"}
        help_texts = {"is_vegan": "A vegan item is also vegetarian."}

    def _post_clean(self):
        """No model validation (see the class): the instance is only where the initial values come from."""


class CalendarSubscriptionForm(forms.Form):
    """The vendor's own calendar: its iCal address, or an exported .ics file (the service checks the rest)."""

    url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Calendar address (iCal)",
        help_text="The secret iCal address of your Google, Outlook or Apple calendar (https://…/basic.ics).",
    )
    ics_file = forms.FileField(required=False, label="…or an .ics file", help_text="Exported from your calendar app.")
