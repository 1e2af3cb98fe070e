"""Every GET parameter of every view, given garbage: far dates, huge and negative sizes, unknown choices; never a 500.

The parameters a view reads are found by asking it once with a recording query string, plus those listed in
KNOWN_PARAMS (read only in states the sample data set does not reach, or only when present in the URL's form).
"""

import pytest
from django.http import QueryDict

from tests.url_walk import ROUTES, walk_fixture, walk_sample_fixture  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = [
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "not-a-date",
    "-1",
    "0",
    str(10**12),
    "9" * 20,
    "abc",
    "-abc",
    "\x00",
]
# Read by views only when present, or by their forms only when bound.
KNOWN_PARAMS = {
    "bookings:list": ["page", "per_page", "sort", "q", "property", "status", "source", "start", "end"],
    "bookings:export": ["format", "sort", "q", "property", "status", "source", "start", "end"],
    "bookings:create": ["property", "check_in", "check_out"],
    "bookings:timeline": ["start", "days"],
    "bookings:import": ["page"],
    "bookings:import_detail": ["page", "action"],
    "bookings:conflicts": ["page", "state", "kind", "batch"],
    "core:audit": [
        "page",
        "q",
        "actor",
        "source",
        "action",
        "object_type",
        "date_from",
        "date_to",
        "batch",
        "content_type",
        "object_id",
    ],
    "wbs:gantt": ["start", "days"],
    "wbs:my_day_sheet": ["date"],
}
# Answers that are not a page of this app: the health probes are answered by middleware before any view.
NOT_FUZZED = {"logout"}
# wbs views that still answer 500 to a far date; they are being fixed on their own branches. Remove an entry when
# its view passes: the strict xfail then fails as a reminder.
BROKEN_ELSEWHERE: dict[str, str] = {}


def reads_recorded(walk, name: str, monkeypatch) -> set[str]:
    """The query parameters the view looks at, recorded on every QueryDict while it answers."""
    keys: set[str] = set()

    def recording(method):
        def wrapper(self, key, *args, **kwargs):
            keys.add(key)
            return method(self, key, *args, **kwargs)

        return wrapper

    for method in ("__getitem__", "get", "getlist", "__contains__"):
        monkeypatch.setattr(QueryDict, method, recording(getattr(QueryDict, method)))
    # A non-empty query string, so that views bind their filter forms (`request.GET or None`).
    walk(name, data={"_probe": "1"})
    monkeypatch.undo()
    return keys - {"_probe"}


def _names():
    for name in sorted(ROUTES):
        if name in NOT_FUZZED:
            continue
        marks = [pytest.mark.xfail(reason=BROKEN_ELSEWHERE[name], strict=True)] if name in BROKEN_ELSEWHERE else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", list(_names()))
def test_no_get_parameter_makes_it_fail(walk, name, monkeypatch):
    first = walk(name)
    if first.status_code == 405:
        return  # POST only
    params = sorted(reads_recorded(walk, name, monkeypatch) | set(KNOWN_PARAMS.get(name, [])))
    failures = []
    for value in HOSTILE_VALUES:
        for param in params:
            response = walk(name, data={param: value})
            if response.status_code >= 500:
                failures.append(f"?{param}={value!r}")
        # Every parameter at once: a range from the first to the last representable day, and so on.
        if params and walk(name, data=dict.fromkeys(params, value)).status_code >= 500:
            failures.append(f"all parameters {value!r}")
    assert not failures, f"{name} answered 500 to: {', '.join(failures)}"
