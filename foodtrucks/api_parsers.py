"""Reading untrusted JSON bodies: a body the app cannot take is a 400 before any view sees it, never a 500.

Python's json module recurses once per nesting level (a body nested 10,000 deep raises
RecursionError), reads `1e999999` as infinity, takes NaN and Infinity, and keeps unpaired
surrogates (`"\\ud800"`), which PostgreSQL and the UTF-8 renderer then refuse. `loads_untrusted`
refuses all of that. Depth and number length are measured on the body's structure (the body with
its string literals cut out) before the parser runs, in C-speed passes: about 0.1 s for the worst
1 MiB body, less than the json module itself takes to parse it. Strings are checked after parsing.

Every request that declares a JSON body is read once, up front, by
`foodtrucks.middleware.JsonBodyMiddleware`, before sessions, authentication or any view: a body it
refuses is answered 400 there, one it accepts is kept as `request.json_body`. DRF's views take it
from there through `JSONParser` (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES), which parses the body
itself when no middleware ran (a view called directly in a test). A plain Django view that takes
JSON reads `request.json_body`, never `json.loads(request.body)`.
"""

import codecs
import json
import math
import re
from itertools import accumulate
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Deeper than any body the API takes (an event batch nests 3 levels), far below the recursion limit.
MAX_DEPTH = 64
# Longer than any number the API takes (ids have at most 19 digits, coordinates about 20 characters).
MAX_NUMBER_LENGTH = 100

# A JSON string literal (escapes included), or an unterminated one up to the end of the body.
# Possessive, and it always matches once started, so the scan is linear whatever the body.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_BRACKET_STEP = [1 if byte in b"[{" else -1 for byte in range(256)]
_LONG_NUMBER = re.compile(rb"[-+.0-9eE]{%d,}" % (MAX_NUMBER_LENGTH + 1))
# Only an exponent of 3+ digits can overflow a float once numbers are at most 100 characters long.
_LARGE_EXPONENT = re.compile(rb"[eE][-+]?[0-9]{3,}")
# Only a \u escape can put a surrogate into a string: the UTF-8 decoder refuses encoded ones.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONBodyError(ValueError):
    """The body is not JSON this app reads; the message is safe to show to the client."""


def nests_deeper_than(structure: bytes, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit` in a body whose string literals were cut out."""
    if structure.count(b"[") + structure.count(b"{") <= limit:  # most bodies: too few brackets to tell
        return False
    brackets = structure.translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets))) > limit


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise JSONBodyError("a number is too large.")
    return value


def _refuse_constant(name: str):
    raise JSONBodyError(f"{name} is not a JSON number.")


def _refuse_surrogates(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            strings = list(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
            continue
        elif isinstance(item, str):
            strings = [item]
        else:
            continue
        if any(_SURROGATE.search(string) for string in strings):
            raise JSONBodyError("a string holds an unpaired surrogate (\\ud800 to \\udfff), which is not text.")


def loads_untrusted(raw: bytes, *, encoding: str = "utf-8") -> Any:
    """The parsed body, or JSONBodyError (a ValueError) saying what is wrong with it."""
    try:
        # Text encodings only: a bytes-to-bytes codec (bz2_codec) would inflate a small body.
        "".encode(encoding)
    except (LookupError, UnicodeError):
        raise JSONBodyError(f'the charset "{encoding}" is not a text encoding.') from None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise JSONBodyError(f"the body is not valid {encoding} (byte {error.start}).") from None
    utf8 = raw if codecs.lookup(encoding).name == "utf-8" else text.encode("utf-8", "surrogatepass")
    structure = _STRING.sub(b"", utf8)
    if nests_deeper_than(structure, MAX_DEPTH):
        raise JSONBodyError(f"arrays and objects nest deeper than {MAX_DEPTH} levels.")
    if _LONG_NUMBER.search(structure):
        raise JSONBodyError(f"a number is longer than {MAX_NUMBER_LENGTH} characters.")
    parse_float = _finite_float if _LARGE_EXPONENT.search(structure) else float
    try:
        value = json.loads(text, parse_float=parse_float, parse_constant=_refuse_constant)
    except RecursionError:  # cannot happen below MAX_DEPTH; should it ever, it is still not a 500
        raise JSONBodyError(f"arrays and objects nest deeper than {MAX_DEPTH} levels.") from None
    if _SURROGATE_ESCAPE.search(utf8):
        _refuse_surrogates(value)
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser reading through `loads_untrusted`: a bad body is a 400 in the one error shape."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = getattr(parser_context.get("request"), "_request", None)
        if hasattr(request, "json_body"):  # read and checked by JsonBodyMiddleware
            return request.json_body
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return loads_untrusted(stream.read(), encoding=encoding)
        except ValueError as error:  # ours, or the json module's syntax errors (with line and column)
            raise ParseError(f"JSON parse error - {error}") from None
