"""Failed background jobs (/ops/failures/, managers and staff): the list by state, a failure, its workflow."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from core.errors import InvalidInput
from core.forms import JobFailureFilterForm, JobFailureStateForm
from core.http import HtmxHttpRequest, render_page
from core.job_failures import job_failure_set_state
from core.models import OPEN_JOB_FAILURE_STATES, JobFailure, JobFailureState
from core.roles import is_manager

# Button labels for each target state: the verbs people use, not the state names.
STATE_ACTIONS: dict[str, str] = {
    JobFailureState.ACKNOWLEDGED: "Acknowledge",
    JobFailureState.INVESTIGATING: "Investigating",
    JobFailureState.RESOLVED: "Resolve",
    JobFailureState.IGNORED: "Ignore",
    JobFailureState.NEW: "Reopen",
}


def ops_required(view: Callable) -> Callable:
    """Managers (who see their imports fail) and staff (the operators) only."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_staff or is_manager(request.user)):
            raise PermissionDenied("Failed jobs are for managers and operators.")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@ops_required
@require_GET
def failure_list(request: HtmxHttpRequest) -> HttpResponse:
    filter_form = JobFailureFilterForm(request.GET)
    chosen = filter_form.chosen()
    failures = JobFailure.objects.for_list_view()
    if chosen == JobFailureFilterForm.OPEN:
        failures = failures.filter(state__in=OPEN_JOB_FAILURE_STATES)
    elif chosen != JobFailureFilterForm.ALL:
        failures = failures.filter(state=chosen)
    counts = JobFailure.objects.counts_by_state()
    tabs = [
        {"value": JobFailureFilterForm.OPEN, "label": "Open", "count": sum(counts[s] for s in OPEN_JOB_FAILURE_STATES)},
        *({"value": value, "label": label, "count": counts[value]} for value, label in JobFailureState.choices),
        {"value": JobFailureFilterForm.ALL, "label": "All", "count": sum(counts.values())},
    ]
    page_obj = Paginator(failures, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page_obj, "tabs": tabs, "chosen": chosen}
    return render_page(request, "core/failures.html", context, partial="failure-results")


@ops_required
@require_GET
def failure_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    failure = get_object_or_404(JobFailure.objects.for_detail_view(), pk=pk)
    return render_page(request, "core/failure_detail.html", _detail_context(request, failure))


@ops_required
@require_POST
def failure_state(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    failure = get_object_or_404(JobFailure.objects.all(), pk=pk)
    form = JobFailureStateForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("Choose a state, and keep the note under 1,000 characters.")
    failure = job_failure_set_state(failure=failure, state=form.cleaned_data["state"], note=form.cleaned_data["note"])
    if not request.htmx:
        return redirect(failure)
    failure = JobFailure.objects.for_detail_view().get(pk=failure.pk)
    return render_page(request, "core/failure_detail.html", _detail_context(request, failure), partial="failure-state")


def _detail_context(request: HtmxHttpRequest, failure: JobFailure) -> dict:
    return {
        "failure": failure,
        # Tracebacks show code paths and values: for the operators (staff), not for every manager.
        "show_traceback": request.user.is_staff,
        "actions": [{"state": state, "label": STATE_ACTIONS[state]} for state in failure.next_states()],
        "form": JobFailureStateForm(),
    }
