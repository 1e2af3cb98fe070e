"""The one way a view answers HTMX: the typed request, the "wants a fragment" rule and the page-or-partial render."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest that went through django-htmx's middleware (`request.htmx`)."""

    htmx: HtmxDetails


def wants_fragment(request: HttpRequest) -> bool:
    """An HTMX swap gets the fragment; a history restore (reload after Back) needs the whole page.

    htmx sends `HX-Request` on both, and only the restore also sends `HX-History-Restore-Request`: answering
    it with a fragment would put a bare piece of page where the whole page was.
    """
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, Any] | None = None,
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the whole page, or only `partial` (a `{% partialdef %}` of the page) when HTMX swaps it.

    `Vary: HX-Request` keeps a browser or proxy cache from handing the fragment to a full-page request.
    """
    if partial and wants_fragment(request):
        template_name = f"{template_name}#{partial}"
    response = render(request, template_name, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
