"""The Gantt's SVG is escaped by construction: titles, tooltips and links cannot break out of the markup."""

import datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse

from tests.factories import MONDAY, link, make_task
from wbs.gantt.drawing import Markup, SvgTemplate, bars_svg, links_svg
from wbs.gantt.layout import ZOOMS, PageSpot, Window, layout_links, layout_rows

HOSTILE = '<script>alert(1)</script> & "x"'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"
WINDOW = Window(ZOOMS["day"], MONDAY, 14)


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def task(pk: int, title: str, start: int, due: int) -> SimpleNamespace:
    return SimpleNamespace(
        pk=pk,
        title=title,
        status="todo",
        progress=40,
        is_milestone=False,
        start_date=day(start),
        due_date=day(due),
        wbs_item_id=None,
        wbs_item=None,
        property_id=None,
        property=None,
    )


def test_a_hostile_title_and_link_are_escaped_in_the_bars():
    rows = layout_rows(WINDOW, [task(1, HOSTILE, 2, 3)], frozenset())
    rows[-1].url = '/gantt/tasks/1/dates/?q="><script>'

    svg = bars_svg(rows)

    assert "<script>" not in svg
    assert f"<title>{ESCAPED}: 4 Nov → 5 Nov, 40% done</title>" in svg
    assert 'href="/gantt/tasks/1/dates/?q=&quot;&gt;&lt;script&gt;"' in svg


def test_a_hostile_title_is_escaped_in_a_stub_tooltip_and_label():
    rows = layout_rows(WINDOW, [task(1, "Tile", 6, 7)], frozenset())
    spot = PageSpot(has_previous=False, has_next=False, nulls_largest=False)
    dependency = (9, 1, "FS", 0, True, None, HOSTILE, day(-9), day(-8))

    arrows, stubs = layout_links(rows, [dependency], WINDOW, spot, frozenset(), lambda side, other: ("before", "/x"))
    svg = links_svg(arrows, stubs)

    assert "<script>" not in svg
    assert f"Waits for “{ESCAPED}”" in svg
    assert f'text-anchor="start">← {ESCAPED[:30]}' in svg


def test_markup_prints_as_it_is_in_a_template_and_nothing_else_joins_it():
    bar = SvgTemplate('<rect class="{classes}" width="{width}"/>')(classes=HOSTILE, width=4)
    rendered = Template("{{ svg }}").render(Context({"svg": Markup.join([bar])}))

    assert rendered == f'<rect class="{ESCAPED}" width="4"/>'
    with pytest.raises(TypeError):
        Markup.join([bar, "<b>unescaped</b>"])


@pytest.mark.django_db
def test_the_gantt_page_escapes_a_hostile_title_everywhere(manager_client):
    hostile = make_task(HOSTILE, start_date=day(2), due_date=day(3))
    link(make_task("Earlier", start_date=day(-9), due_date=day(-8)), hostile)
    link(hostile, make_task("Later", start_date=day(30), due_date=day(30)))

    html = manager_client.get(reverse("wbs:gantt"), {"start": MONDAY.isoformat(), "zoom": "day"}).content.decode()

    assert "<script>alert(1)" not in html
    # The row's label, the bar's tooltip, the dependency form's options.
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt; &amp;") >= 3


def test_a_number_field_takes_only_numbers_and_a_field_used_twice_is_escaped_once():
    link = SvgTemplate('<a href="{url}" hx-get="{url}" data-task="{task:d}"/>')

    assert link(url="/a?b=1&c=2", task=7) == '<a href="/a?b=1&amp;c=2" hx-get="/a?b=1&amp;c=2" data-task="7"/>'
    with pytest.raises(ValueError):
        link(url="/", task='7" onload="alert(1)')
