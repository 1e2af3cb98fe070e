"""wbs.views.links: many links to one view from a single reverse()."""

import pytest
from django.urls import NoReverseMatch, reverse

from core.urls_helpers import url_for_each


def test_it_gives_what_reverse_gives():
    task_url = url_for_each("wbs:task_detail")

    assert [task_url(pk) for pk in (1, 42, 10_000)] == [reverse("wbs:task_detail", args=[pk]) for pk in (1, 42, 10_000)]


def test_it_refuses_a_view_that_takes_no_id():
    with pytest.raises(NoReverseMatch):
        url_for_each("wbs:board")
