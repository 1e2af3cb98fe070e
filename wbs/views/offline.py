"""The field app's service worker, served from the site root so its scope covers /my/ and the photos."""

import hashlib
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

# The app shell: what every field page needs to draw itself without a connection.
SHELL = (
    "css/app.css",
    "js/app.js",
    "js/field-offline.js",
    "vendor/lucide/sprite.svg",
    "favicon.svg",
)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [static(name) for name in SHELL]
    # Hashed static names change with their content, so a new deployment gives the worker new bytes and the
    # browser installs it (and drops the old shell cache) on its next check.
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    context = {
        "version": version,
        "shell_json": json.dumps(shell),
        "logout_url": reverse("logout"),
        "offline_home": reverse("wbs:my_tasks"),
    }
    response = render(request, "wbs/service_worker.js", context, content_type="application/javascript")
    # Browsers check for a new worker at least daily anyway; no-cache makes them check on every navigation.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
