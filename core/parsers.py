"""The API's JSON parser, with a nesting limit checked before decoding.

Python's JSON decoder recurses once per nested array or object, so a body of a few thousand brackets raised
RecursionError inside DRF's parser: a server error before any serializer ran. The depth is counted here in
one pass over the bytes (brackets inside strings do not count), and a deeper body is a 400.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (without decoding it)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if json_depth(raw) > MAX_JSON_DEPTH:
            raise ParseError(_("The JSON body is nested more than %(limit)d levels deep.") % {"limit": MAX_JSON_DEPTH})
        return super().parse(io.BytesIO(raw), media_type, parser_context)
