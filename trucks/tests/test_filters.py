"""The place search's FilterSet: what it accepts, what it refuses, and when it narrows the places."""

import pytest
from django.http import QueryDict

from tests import factories
from trucks.filters import PlaceSearchFilter, TopPlacesFilter
from trucks.models import Place


def bound(query: str) -> PlaceSearchFilter:
    return PlaceSearchFilter(QueryDict(query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("open_now=true", True),
        ("open_now=TRUE", True),
        ("open_now=1", True),
        ("open_now=yes", True),
        ("open_now=false", False),
        ("open_now=0", False),
        ("open_now=off", False),
        ("open_now=", None),
        ("", None),
    ],
)
def test_booleans_when_spelled_any_usual_way_are_read(query, expected):
    filters = bound(query)

    assert filters.is_valid()
    assert filters.form.cleaned_data["open_now"] is expected


@pytest.mark.parametrize("value", ["maybe", "2", "truthy", "null"])
def test_booleans_when_not_a_boolean_are_refused_not_ignored(value):
    filters = bound(f"vegan={value}")

    assert not filters.is_valid()
    assert filters.errors == {"vegan": ["Must be a valid boolean."]}


def test_category_when_repeated_keeps_every_value_and_names_each_bad_one():
    good = bound("category=tacos&category=bbq&category=")
    bad = bound(f"category=tacos&category=no%20slug!&category={'x' * 81}")

    assert good.is_valid() and good.form.cleaned_data["category"] == ["tacos", "bbq"]
    assert not bad.is_valid()
    assert bad.errors == {
        "category": [
            'Item 2: Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.',
            "Item 3: Ensure this field has no more than 80 characters.",
        ]
    }


def test_text_filters_are_trimmed_and_capped():
    filters = bound("city=%20Austin%20&q=%20tacos")
    too_long = bound(f"q={'x' * 101}")

    assert filters.is_valid()
    assert (filters.form.cleaned_data["city"], filters.form.cleaned_data["q"]) == ("Austin", "tacos")
    assert too_long.errors == {"q": ["Ensure this value has at most 100 characters (it has 101)."]}


def test_choices_when_unknown_are_refused_in_the_api_wording():
    filters = bound("kind=boat&ordering=password")

    assert filters.errors == {
        "kind": ['"boat" is not a valid choice.'],
        "ordering": ['"password" is not a valid choice.'],
    }


@pytest.mark.parametrize(
    ("query", "narrows"),
    [
        ("", False),
        ("vegan=false&vegetarian=false&gluten_free=false", False),
        ("ordering=-rating", False),
        ("kind=&city=&q=&category=", False),
        ("kind=truck", True),
        ("open_now=false", True),
        ("vegan=true", True),
        ("category=tacos", True),
        ("city=Austin", True),
        ("q=taco", True),
    ],
)
def test_narrows_only_when_a_filter_leaves_places_out(db, query, narrows):
    filters = bound(query)

    assert filters.is_valid()
    filters.filter_queryset(Place.objects.all())
    assert filters.narrows is narrows


def test_filters_combine_over_any_place_queryset(db):
    # given
    tacos = factories.CategoryFactory(slug="tacos", name="Tacos")
    match = factories.PlaceFactory(kind="truck", city="Austin", is_open=True)
    match.categories.add(tacos)
    factories.PlaceFactory(kind="stand", city="Austin", is_open=True).categories.add(tacos)
    factories.PlaceFactory(kind="truck", city="Dallas", is_open=True).categories.add(tacos)
    factories.PlaceFactory(kind="truck", city="Austin", is_open=False).categories.add(tacos)
    factories.PlaceFactory(kind="truck", city="Austin", is_open=True)

    # when
    filters = bound("kind=truck&city=austin&open_now=true&category=tacos&ordering=name")
    assert filters.is_valid()
    found = filters.filter_queryset(Place.objects.all())

    # then
    assert list(found.values_list("pk", flat=True)) == [match.pk]
    assert filters.chosen_ordering == "name"


def test_top_places_city_is_required():
    filters = TopPlacesFilter(QueryDict(""))

    assert filters.errors == {"city": ["This field is required."]}
