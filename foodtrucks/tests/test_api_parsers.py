"""Untrusted JSON bodies: what the parser refuses (with the message the client sees) and what it keeps."""

import io

import pytest
from rest_framework.exceptions import ParseError

from foodtrucks.api_parsers import MAX_DEPTH, JSONBodyError, JSONParser, loads_untrusted


def refusal(raw: bytes, **kwargs) -> str:
    with pytest.raises(JSONBodyError) as refused:
        loads_untrusted(raw, **kwargs)
    return str(refused.value)


@pytest.mark.parametrize(
    "raw",
    [b"[" * 10_000 + b"]" * 10_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000, b"[" * 1_000_000],
    ids=["array", "object", "unclosed"],
)
def test_body_nested_far_too_deep_is_refused_before_parsing(raw):
    assert refusal(raw) == "arrays and objects nest deeper than 64 levels."


def test_body_at_the_depth_limit_is_read_and_one_level_more_is_refused():
    deepest = []
    for _ in range(MAX_DEPTH - 1):
        deepest = [deepest]
    assert loads_untrusted(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) == deepest
    assert refusal(b"{" + b'"a":[' * MAX_DEPTH + b"]" * MAX_DEPTH + b"}") == (
        "arrays and objects nest deeper than 64 levels."
    )


def test_brackets_inside_strings_nest_nothing():
    text = '["' + "[{" * 500 + '\\"[", "\\\\"]'
    assert loads_untrusted(text.encode()) == ["[{" * 500 + '"[', "\\"]


def test_many_shallow_arrays_are_read():
    assert loads_untrusted(b"[" + b",".join([b"[]"] * 1000) + b"]") == [[]] * 1000


@pytest.mark.parametrize("literal", [b"1e999999", b"-1e999999", b"1E+309", b"0.5e400"])
def test_number_too_large_for_a_float_is_refused(literal):
    assert refusal(b'{"lat": ' + literal + b"}") == "a number is too large."


def test_numbers_a_float_can_hold_are_read():
    assert loads_untrusted(b"[1e308, 1e-999, -2.5E+300, 42]") == [1e308, 0.0, -2.5e300, 42]


def test_integer_of_100000_digits_is_refused_without_converting_it():
    assert refusal(b'{"place": ' + b"9" * 100_000 + b"}") == "a number is longer than 100 characters."


def test_integer_of_100_digits_is_read_and_digits_in_strings_do_not_count():
    assert loads_untrusted(b"[" + b"9" * 100 + b"]") == [int("9" * 100)]
    assert loads_untrusted(b'["' + b"9" * 5000 + b'"]') == ["9" * 5000]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(constant):
    assert refusal(f'{{"stars": {constant}}}'.encode()) == f"{constant} is not a JSON number."


@pytest.mark.parametrize(
    "raw", [b'{"email": "\xff\xfe"}', b'{"email": "\xed\xa0\x80"}'], ids=["invalid", "encoded-surrogate"]
)
def test_body_that_is_not_utf8_is_refused_naming_the_byte(raw):
    assert refusal(raw) == "the body is not valid utf-8 (byte 11)."


@pytest.mark.parametrize(
    "raw",
    [b'{"review": "\\ud800"}', b'{"\\uDFFF": 1}', b'[[{"a": ["ok", "x\\udc00y"]}]]'],
    ids=["value", "key", "deep"],
)
def test_unpaired_surrogate_anywhere_is_refused(raw):
    assert refusal(raw) == "a string holds an unpaired surrogate (\\ud800 to \\udfff), which is not text."


def test_paired_surrogates_and_an_escaped_backslash_are_text():
    assert loads_untrusted(b'["\\ud83c\\udf2e", "\\\\ud800"]') == ["\U0001f32e", "\\ud800"]


def test_body_in_the_charset_its_content_type_names_is_read():
    assert loads_untrusted('{"name": "Zoë"}'.encode("utf-16"), encoding="utf-16") == {"name": "Zoë"}


def test_megabyte_of_escaped_quotes_is_a_syntax_error_not_a_stall():
    # a string that never closes: the scan for brackets outside strings stays linear
    with pytest.raises(ValueError, match="Unterminated string starting at: line 1 column 1"):
        loads_untrusted(b'"' + b'\\"' * 500_000 + b"\\")


def test_drf_parser_answers_parse_error_with_the_reason():
    # given the parser DRF uses for every API body
    parser = JSONParser()
    # when it reads a body nested too deep, and one with a syntax error
    with pytest.raises(ParseError) as deep:
        parser.parse(io.BytesIO(b"[" * 10_000), "application/json", {"encoding": "utf-8"})
    with pytest.raises(ParseError) as broken:
        parser.parse(io.BytesIO(b'{"a": '), "application/json", {"encoding": "utf-8"})
    # then both are ParseErrors (400) that say why
    assert str(deep.value.detail) == "JSON parse error - arrays and objects nest deeper than 64 levels."
    assert str(broken.value.detail) == "JSON parse error - Expecting value: line 1 column 7 (char 6)"
    assert parser.parse(io.BytesIO(b'{"a": [1]}'), "application/json", {}) == {"a": [1]}
