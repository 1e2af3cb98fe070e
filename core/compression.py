"""Compresses the app's text responses (HTML, HTMX fragments, JSON), so any deployment gets it without a proxy."""

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

# Photos and spreadsheets are compressed formats already: gzip would spend CPU to make them no smaller.
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/health+json", "application/javascript", "image/svg")


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH length padding), limited to text content types.

    Static files are not its concern: whitenoise serves them precompressed.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)
