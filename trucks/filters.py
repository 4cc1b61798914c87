"""The plain filters of place lists (django-filter FilterSets): they validate the query, narrow a Place
queryset, and the API's schema documents each parameter from them.

The point of a nearby search (lat, lng, radius_km) is not a FilterSet's: trucks.search applies it with
its own statement, after these filters.
"""

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db.models import Exists, F, OuterRef, QuerySet
from django_filters import BooleanFilter, CharFilter, ChoiceFilter, FilterSet, MultipleChoiceFilter

from trucks.models import MenuItem, Place, PlaceKind
from trucks.search import ORDERINGS, TEXT_RANK
from trucks.search_document import SEARCH_CONFIG
from trucks.viewport import Viewport, viewport_parse

# The wording of the API's other messages (DRF's), so a query parameter reads like a body field.
INVALID_CHOICE = {"invalid_choice": '"%(value)s" is not a valid choice.'}
CATEGORY_SLUG_MAX_LENGTH = 80


class StrictBooleanField(forms.Field):
    """true / false (1 / 0, yes / no, on / off); absent or empty is "not given".

    Django's NullBooleanField (django-filter's default) reads "maybe" as unknown and filters nothing;
    here it is an error, so a typo never silently widens a search.
    """

    TRUE = frozenset({"true", "t", "yes", "y", "on", "1"})
    FALSE = frozenset({"false", "f", "no", "n", "off", "0"})
    default_error_messages = {"invalid": "Must be a valid boolean."}

    def to_python(self, value) -> bool | None:
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(BooleanFilter):
    field_class = StrictBooleanField


class SlugListField(forms.Field):
    """A repeatable parameter of slugs (`?category=tacos&category=bbq`); a bad one is named by its position."""

    widget = forms.MultipleHiddenInput  # reads every value of the parameter, not only the last
    pattern = r"^[-a-zA-Z0-9_]+$"  # Django's slug_re (the check) as a schema shows it for each item

    def __init__(self, *, max_length: int, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        return [str(item) for item in value or () if item != ""]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        messages = []
        for position, slug in enumerate(value, start=1):
            if len(slug) > self.max_length:
                messages.append(f"Item {position}: Ensure this field has no more than {self.max_length} characters.")
            elif not slug_re.match(slug):
                messages.append(
                    f'Item {position}: Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'
                )
        if messages:
            raise ValidationError(messages, code="invalid")


class ViewportField(forms.Field):
    """`south,west,north,east` in degrees; west > east crosses the antimeridian. Each bad part is named."""

    MAX_LENGTH = 200  # four numbers; anything longer is not a box

    def to_python(self, value) -> Viewport | None:
        text = "" if value in self.empty_values else str(value).strip()
        if not text:
            return None
        if len(text) > self.MAX_LENGTH:
            raise ValidationError(
                f"Ensure this field has no more than {self.MAX_LENGTH} characters.", code="max_length"
            )
        try:
            return viewport_parse(text)
        except ValueError as error:
            raise ValidationError(error.args[0], code="invalid") from None


class ViewportFilter(CharFilter):
    """A map viewport (`bbox`); the schema shows it as a string."""

    field_class = ViewportField


BBOX_HELP = (
    "Map viewport south,west,north,east in degrees (lat -90..90, lng -180..180, south <= north); "
    "west > east crosses the antimeridian (e.g. 50,170,60,-170)."
)


class SlugListFilter(MultipleChoiceFilter):
    """A repeatable slug parameter; the schema shows it as an array of strings (`category=a&category=b`)."""

    field_class = SlugListField


def _has_available_item(flag: str) -> Exists:
    """The place has an available item with `flag` on an active menu attached to it."""
    items = MenuItem.objects.filter(
        menu__places=OuterRef("pk"), menu__is_active=True, is_available=True, **{f"is_{flag}": True}
    )
    return Exists(items)


class ClassFormFilterSet(FilterSet):
    """A FilterSet whose form class is built once per class, not per request.

    django-filter builds it (and every field of it) for each instance; these FilterSets' fields depend
    on nothing but the class, and the place search is the API's hottest request.
    """

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class


class PlaceSearchFilter(ClassFormFilterSet):
    """The place search's filters and order (GET places/), over any Place queryset.

    `ordering` is validated and documented here but applied by trucks.search.places_search: the order
    is the search's last step, once a point's distances exist.
    """

    kind = ChoiceFilter(choices=PlaceKind.choices, error_messages=INVALID_CHOICE, help_text="Trucks or stands only.")
    category = SlugListFilter(
        method="filter_category",
        max_length=CATEGORY_SLUG_MAX_LENGTH,
        help_text="Category slug; repeat the parameter for several (a place in any of them matches).",
    )
    open_now = StrictBooleanFilter(
        field_name="is_open", help_text="true: only places open now; false: only closed ones."
    )
    vegan = StrictBooleanFilter(method="filter_has_available_item", help_text="Has an available vegan item.")
    vegetarian = StrictBooleanFilter(
        method="filter_has_available_item", help_text="Has an available vegetarian item (vegan items count)."
    )
    gluten_free = StrictBooleanFilter(
        method="filter_has_available_item", help_text="Has an available gluten-free item."
    )
    city = CharFilter(lookup_expr="iexact", max_length=100, help_text="City name (any case).")
    bbox = ViewportFilter(method="filter_bbox", help_text=BBOX_HELP)
    q = CharFilter(
        method="filter_text",
        max_length=100,
        help_text="Words to find in the name, the categories, the items of active menus or the description "
        "(full-text: English stemming, so tacos finds taco; quotes for a phrase, -word to exclude). "
        "A name match ranks above a category, then an item, then a description match; without a point "
        "and without `ordering` the best match comes first.",
    )
    ordering = ChoiceFilter(
        choices=[(key, key) for key in ORDERINGS],
        method="filter_ordering",
        error_messages=INVALID_CHOICE,
        help_text="distance (needs lat/lng; the default then), -rating (best first) "
        "or name (the default without a point, unless `q` is given: then best match first).",
    )

    # Set by filter_queryset: some filter narrowed the places.
    narrows = False

    class Meta:
        model = Place
        fields: list[str] = []  # every filter is declared above

    def filter_category(self, queryset: QuerySet[Place], name: str, value: list[str]) -> QuerySet[Place]:
        in_categories = Place.categories.through.objects.filter(place_id=OuterRef("pk"), category__slug__in=value)
        return queryset.filter(Exists(in_categories))

    def filter_has_available_item(self, queryset: QuerySet[Place], name: str, value: bool) -> QuerySet[Place]:
        # false means "whatever", not "has none": the app sends its switches as they are.
        return queryset.filter(_has_available_item(name)) if value else queryset

    def filter_bbox(self, queryset: QuerySet[Place], name: str, value: Viewport) -> QuerySet[Place]:
        return queryset.filter(value.as_q())

    def filter_text(self, queryset: QuerySet[Place], name: str, value: str) -> QuerySet[Place]:
        """Places whose search document (trucks.search_document) matches the words, each with its rank
        as TEXT_RANK (the search orders by it when nothing else is asked)."""
        query = SearchQuery(value, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.filter(search_document=query).annotate(**{TEXT_RANK: SearchRank(F("search_document"), query)})

    def filter_ordering(self, queryset: QuerySet[Place], name: str, value: str) -> QuerySet[Place]:
        return queryset  # applied by places_search, after the point (see the class docstring)

    @property
    def chosen_ordering(self) -> str | None:
        """The `ordering` asked for (a key of trucks.search.ORDERINGS), or None for the default."""
        return self.form.cleaned_data.get("ordering") or None

    def filter_queryset(self, queryset: QuerySet[Place]) -> QuerySet[Place]:
        """Apply the filters given, noting whether any of them narrowed the places (`narrows`).

        A filter that is not given, a diet switch set to false and the order hand the queryset back
        as it was; only a search no filter narrowed can take the plain nearby statement.
        """
        self.narrows = False
        for name, value in self.form.cleaned_data.items():
            narrowed = self.filters[name].filter(queryset, value)
            self.narrows |= narrowed is not queryset
            queryset = narrowed
        return queryset


class PlaceMapFilter(PlaceSearchFilter):
    """The map's filters (GET places/map/): the search's, with the viewport required and no order
    (a map has no list order; trucks.viewport applies the box itself, to build its grid on it)."""

    bbox = ViewportFilter(method="filter_viewport_later", required=True, help_text=BBOX_HELP)
    ordering = None

    class Meta(PlaceSearchFilter.Meta):
        pass

    def filter_viewport_later(self, queryset: QuerySet[Place], name: str, value: Viewport) -> QuerySet[Place]:
        return queryset  # trucks.viewport.map_viewport filters by the box and sizes its grid from it

    @property
    def viewport(self) -> Viewport:
        return self.form.cleaned_data["bbox"]


class TopPlacesFilter(ClassFormFilterSet):
    """The city of the top-rated list (GET places/top/). The ranking itself is cached by city
    (trucks.top_places), so this FilterSet validates and documents the parameter."""

    city = CharFilter(lookup_expr="iexact", max_length=100, required=True, help_text="City name (any case).")

    class Meta:
        model = Place
        fields: list[str] = []
