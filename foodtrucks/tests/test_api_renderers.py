"""The API's JSON renderer writes the bytes DRF's JSONRenderer writes (orjson inside)."""

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from foodtrucks.api_renderers import FastJSONRenderer

EASTERN = timezone(timedelta(hours=-5))

VALUES = [
    pytest.param({"a": 1, "b": [1, 2.5, None, True, False], "c": {"d": "e"}}, id="plain"),
    pytest.param({"lat": 40.712776, "lng": -74.005974, "small": 0.1, "int": 10**17}, id="floats-ints"),
    pytest.param({"name": "Café ☕ 東京", "quote": 'say "hi"\n\ttab\\'}, id="unicode-escapes"),
    pytest.param({"js": "line\u2028para\u2029end"}, id="js-separators"),
    pytest.param(
        {
            "utc": datetime(2026, 12, 7, 20, 1, 2, 345678, tzinfo=UTC),
            "utc_whole": datetime(2026, 12, 7, 20, 1, 2, tzinfo=UTC),
            "eastern": datetime(2026, 12, 7, 15, 1, 2, 5000, tzinfo=EASTERN),
            "naive": datetime(2026, 12, 7, 20, 1, 2),
            "day": date(2026, 12, 7),
            "at": time(9, 30),
            "at_micro": time(9, 30, 1, 123456),
        },
        id="moments",
    ),
    pytest.param(
        {"price": Decimal("4.50"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678")}, id="decimal-uuid"
    ),
    pytest.param({"message": gettext_lazy("This field is required.")}, id="lazy-string"),
    pytest.param({"tuple": (1, 2), "set": {3}, "bytes": b"raw", "delta": timedelta(minutes=90)}, id="others"),
    pytest.param(ReturnList([ReturnDict({"a": 1}, serializer=None)], serializer=None), id="drf-containers"),
    pytest.param({"big": 2**70}, id="beyond-64-bits"),
    pytest.param({1: "int key", None: "none key"}, id="non-string-keys"),
    pytest.param([], id="empty-list"),
    pytest.param("just a string", id="scalar"),
]


@pytest.mark.parametrize("data", VALUES)
def test_render_when_given_any_value_writes_drfs_bytes(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_render_when_pretty_printing_asked_indents_as_drf_does():
    data = {"a": [1, {"b": datetime(2026, 1, 1, tzinfo=UTC)}]}
    media_type = "application/json; indent=4"
    assert FastJSONRenderer().render(data, media_type, {}) == JSONRenderer().render(data, media_type, {})
    assert b'\n    "a"' in FastJSONRenderer().render(data, media_type, {})


def test_render_when_no_data_writes_nothing():
    assert FastJSONRenderer().render(None) == b""


def test_render_when_a_value_cannot_be_written_fails_as_drf_does():
    with pytest.raises(TypeError):
        FastJSONRenderer().render({"what": object()})


def test_api_answer_when_served_is_rendered_by_the_fast_renderer(client, db):
    response = client.get("/api/v1/categories/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, FastJSONRenderer)
    assert response.content == JSONRenderer().render(response.data)
