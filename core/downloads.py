"""File downloads: one way to name an attachment, so that no file name can break the response header."""

from __future__ import annotations

from typing import TypeVar

from django.http import HttpResponseBase
from django.utils.http import content_disposition_header

Response = TypeVar("Response", bound=HttpResponseBase)


def attachment(response: Response, filename: str) -> Response:
    """Mark ``response`` as a download named ``filename``.

    ``content_disposition_header`` escapes quotes and backslashes and sends a name with a CR, LF or non-ASCII
    character (a Chinese study code, say) as ``filename*=utf-8''...``, so the header stays one valid line.
    """
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
