"""The API's JSON renderer: DRF's JSONRenderer, the same bytes, written by orjson.

DRF's renderer walks every value in Python (json.dumps with its encoder), a measurable share of a list
page's CPU (docs/performance-requests.md). orjson writes the same compact UTF-8 JSON in C. What orjson
would write differently is handed to DRF's own encoder instead: datetimes, dates and times (DRF writes
`Z` for UTC and milliseconds), dataclasses, and anything else orjson does not know (Decimal, lazy
strings, querysets, bytes). What orjson refuses (an integer over 64 bits, a key that is not a string)
and a pretty-printed answer (`Accept: application/json; indent=4`) go through DRF's renderer as before,
so no answer changes but for a float's exponent (`1e-05` is written `1e-5`) and a float that is not a
number (NaN is written `null`, where DRF's strict JSON fails the request).
"""

import orjson
from rest_framework.renderers import JSONRenderer

# Handed to DRF's encoder (not written by orjson's own rules).
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class FastJSONRenderer(JSONRenderer):
    """application/json, as DRF's JSONRenderer renders it (compact, UTF-8, U+2028/U+2029 escaped)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if (
            self.ensure_ascii
            or not self.compact
            or self.get_indent(accepted_media_type, renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=self.encoder_class().default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # as DRF does: JSON that is also a strict subset of JavaScript
        if _LINE_SEPARATOR in rendered or _PARAGRAPH_SEPARATOR in rendered:
            rendered = rendered.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return rendered
