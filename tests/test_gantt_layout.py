"""The Gantt's layout as pure functions: window, rows, bars, stays, arrows, stubs and the scale, with no database."""

import datetime
from types import SimpleNamespace

import pytest
from django.http import QueryDict

from wbs.gantt.layout import (
    EARLIEST_DAY,
    FRAME_WIDTH,
    HEADER_HEIGHT,
    LATEST_DAY,
    ROW_HEIGHT,
    ZOOMS,
    OtherEnd,
    PageSpot,
    Stay,
    Window,
    fit_widths,
    label_stays,
    layout_bar,
    layout_ghost,
    layout_links,
    layout_rows,
    layout_scale,
    place_stays,
    step,
    stub_side,
)
from wbs.gantt.url_state import focus_id, window_from
from wbs.scheduling import WorkCalendar

MONDAY = datetime.date(2026, 11, 2)
DAY_WINDOW = Window(ZOOMS["day"], MONDAY, 14)  # 72 px a day


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def task(pk: int, title: str = "Task", start: int | None = 0, due: int | None = 1, **fields) -> SimpleNamespace:
    values = {
        "pk": pk,
        "title": title,
        "status": "todo",
        "progress": 0,
        "is_milestone": False,
        "start_date": day(start) if start is not None else None,
        "due_date": day(due) if due is not None else None,
        "wbs_item_id": None,
        "wbs_item": None,
        "property_id": None,
        "property": None,
    }
    return SimpleNamespace(**(values | fields))


def window(**params: str) -> Window:
    query = QueryDict(mutable=True)
    query.update(params)
    return window_from(query, today=MONDAY, default_days=42)


# The window in the URL


def test_the_default_window_starts_on_the_monday_a_week_before_today():
    # 42 days, and three more to fill the frame; Earlier and Later still move six weeks.
    assert (window().zoom.name, window().start, window().days) == ("week", day(-7), 45)
    assert step(window()) == datetime.timedelta(days=42)


def test_an_unknown_zoom_or_a_start_that_is_not_a_date_falls_back_to_the_default():
    assert window(zoom="year", start="yesterday") == window()
    assert window(start="2026-02-30").start == day(-7)


def test_a_start_out_of_range_is_moved_into_the_drawable_years():
    assert window(start="0001-01-01").start == EARLIEST_DAY
    late = window(start="9999-12-31", zoom="month")
    assert late.end == LATEST_DAY and late.days == 135


def test_a_focus_that_cannot_be_a_task_id_is_no_focus():
    assert focus_id(QueryDict("focus=12")) == 12
    for value in ("", "x", "0", "-3", "1e3", str(2**63)):
        assert focus_id(QueryDict(f"focus={value}")) is None


# Rows and bars


def test_rows_group_projects_and_wbs_items_then_properties_then_the_rest():
    project = SimpleNamespace(name="Renovate")
    kitchen = SimpleNamespace(project_id=1, project=project, title="Kitchen", code="1.2")
    beach = SimpleNamespace(name="Beach House", code="BH")
    tasks = [
        task(1, "Tile", wbs_item_id=5, wbs_item=kitchen),
        task(2, "Clean", property_id=9, property=beach),
        task(3, "Call"),
    ]

    rows = layout_rows(DAY_WINDOW, tasks, frozenset())

    assert [(row.kind, row.label, row.code) for row in rows] == [
        ("project", "Renovate", ""),
        ("wbs", "Kitchen", "1.2"),
        ("task", "Tile", ""),
        ("property", "Beach House", "BH"),
        ("task", "Clean", ""),
        ("other", "Other tasks", ""),
        ("task", "Call", ""),
    ]
    assert [row.y for row in rows] == [HEADER_HEIGHT + number * ROW_HEIGHT for number in range(7)]
    assert rows[2].bar.task_id == 1 and rows[0].bar is None


def test_a_bar_spans_its_days_with_its_progress_and_is_clipped_to_the_window():
    bar = layout_bar(DAY_WINDOW, task(1, start=2, due=3, progress=50), 100, frozenset())
    assert (bar.x, bar.width, bar.progress, bar.y, bar.cy) == (144, 144, 72, 107, 116)
    assert not bar.critical and bar.tooltip == "Task: 4 Nov → 5 Nov, 50% done"

    clipped = layout_bar(DAY_WINDOW, task(1, start=-3, due=30), 100, frozenset({1}))
    assert (clipped.x, clipped.width, clipped.clipped_left, clipped.clipped_right) == (0, 14 * 72, True, True)
    assert clipped.critical and clipped.tooltip.endswith(", on the critical path")


def test_a_task_with_one_date_is_a_one_day_bar_and_a_milestone_a_diamond():
    bar = layout_bar(DAY_WINDOW, task(1, start=None, due=4, is_milestone=True), 100, frozenset())
    assert (bar.start, bar.due, bar.width) == (day(4), day(4), 72)
    assert bar.diamond == ((324, 107), (333, 116), (324, 125), (315, 116))


def test_stays_are_strips_on_their_property_row_for_their_nights():
    beach = SimpleNamespace(name="Beach House", code="BH")
    rows = layout_rows(DAY_WINDOW, [task(1, property_id=9, property=beach)], frozenset())
    stay = SimpleNamespace(property_id=9, check_in=day(1), check_out=day(4), guest_name="Ana")
    elsewhere = SimpleNamespace(property_id=8, check_in=day(1), check_out=day(4), guest_name="Rui")

    place_stays(DAY_WINDOW, rows, [stay, elsewhere])

    (strip,) = rows[0].strip
    assert (strip.x, strip.width, strip.y) == (72, 3 * 72, rows[0].y + 7)


# Links


def dependency(predecessor, successor, other=None, kind="FS", lag=0, shown=True):
    """A row as queries.dependency_rows gives it; `other` is (title, start, due) of the end not drawn."""
    title, start, due = other or ("", None, None)
    return (predecessor, successor, kind, lag, shown, None, title, start, due)


def locate(side, other):
    return f"somewhere {side}", f"/gantt/?focus={other.pk}"


def test_links_between_drawn_bars_are_arrows_and_the_rest_stubs_one_per_side():
    rows = layout_rows(DAY_WINDOW, [task(1, start=2, due=3), task(2, start=5, due=5)], frozenset({1, 2}))
    spot = PageSpot(has_previous=False, has_next=False, nulls_largest=False)
    links = [
        dependency(1, 2, lag=1),
        dependency(7, 1, ("Order tiles", day(-9), day(-8))),
        dependency(8, 1, ("Order grout", day(-5), day(-5))),
        dependency(2, 9, ("Seal", None, None)),
    ]

    arrows, stubs = layout_links(rows, links, DAY_WINDOW, spot, frozenset({1, 2}), locate)

    (arrow,) = arrows
    assert (arrow.predecessor, arrow.successor, arrow.critical) == (1, 2, True)
    assert arrow.path == "M288,92 H296 V108 H352 V124 H360"
    left, right = stubs
    assert (left.side, left.count, left.label) == ("left", 2, "← Order tiles +1")
    assert "Waits for “Order tiles” (24 Oct → 25 Oct), FS: somewhere left" in left.tooltip
    assert "Order grout" in left.tooltip and left.url == "/gantt/?focus=7"
    assert (right.side, right.other_id, right.critical) == ("right", 9, False)


def test_a_stub_to_a_row_in_the_window_points_up_or_down_by_the_row_order():
    other = OtherEnd(5, "Paint", day(1), day(1), (None, None, None, None, None, None), True)
    first_page = PageSpot(has_previous=False, has_next=True, nulls_largest=False)
    last_page = PageSpot(has_previous=True, has_next=False, nulls_largest=False)
    middle = PageSpot(True, True, False, first_key=other.row_key(nulls_largest=False))

    assert stub_side(other, True, DAY_WINDOW, first_page) == "bottom"
    assert stub_side(other, True, DAY_WINDOW, last_page) == "top"
    assert stub_side(other._replace(pk=4), True, DAY_WINDOW, middle) == "top"
    assert stub_side(other._replace(pk=6), True, DAY_WINDOW, middle) == "bottom"
    assert stub_side(other._replace(due_date=day(-1), start_date=day(-2)), True, DAY_WINDOW, middle) == "left"


def test_the_week_scale_labels_mondays_and_shades_weekends():
    week = Window(ZOOMS["week"], MONDAY, 14)

    scale = layout_scale(week, WorkCalendar([0, 1, 2, 3, 4], [day(2)]))

    assert [(label.x, label.text) for label in scale.labels] == [(0, "2 Nov"), (168, "9 Nov")]
    assert [entry["day"] for entry in scale.non_working] == [day(2), day(5), day(6), day(12), day(13)]


# Filling the frame


@pytest.mark.parametrize("zoom", ["day", "week", "month"])
def test_every_zoom_draws_a_chart_that_fills_the_frame_of_a_wide_screen(zoom):
    drawn = window(zoom=zoom)
    narrowest, widest = fit_widths(drawn.width)

    # Never short of the frame, and within what the SVG may be scaled to fit it exactly (a few per cent).
    assert drawn.width >= FRAME_WIDTH
    assert narrowest <= FRAME_WIDTH <= widest
    # A frame a little wider (no scroll bar, a larger screen) is filled too.
    assert widest >= FRAME_WIDTH + 15


def test_earlier_and_later_keep_whole_weeks_though_the_window_is_wider():
    week = window()
    assert week.days > 42 and step(week) == datetime.timedelta(days=42)
    assert (week.start + step(week)).weekday() == 0


# Stay labels


def stay(x: int, width: int, name: str) -> Stay:
    return Stay(SimpleNamespace(guest_name=name), x, 7, width)


def test_a_name_that_fits_goes_inside_its_strip():
    (labelled,) = label_stays([stay(100, 216, "Ana Silva")], 1000)

    assert (labelled.label, labelled.label_inside, labelled.label_x) == ("Ana Silva", True, 105)


def test_a_long_name_is_cut_to_its_strip_never_past_it():
    (labelled,) = label_stays([stay(0, 100, "Maximiliana Fonseca-Albuquerque")], 1000)

    assert labelled.label_inside and labelled.label.endswith("…")
    assert len(labelled.label) * 7 <= 100 - 2 * 5


def test_a_name_too_long_for_a_short_stay_goes_beside_it_up_to_the_next_stay():
    short, following = label_stays([stay(0, 24, "Bea Moreira"), stay(120, 200, "Carlos")], 1000)

    assert (short.label_inside, short.label_x) == (False, 29)
    assert 29 + len(short.label) * 7 <= 120  # stops before the next stay
    assert following.label == "Carlos" and following.label_inside


def test_a_name_with_no_room_inside_or_beside_is_left_to_the_tooltip():
    first, _ = label_stays([stay(0, 8, "Bea Moreira"), stay(10, 200, "Carlos")], 1000)

    assert first.label == ""


def test_a_double_booking_s_name_fits_the_part_of_its_strip_left_uncovered():
    first, second = label_stays([stay(0, 300, "Lia Fernandes"), stay(60, 200, "Lena Novak")], 1000)

    # The second strip is drawn over the first from x=60: the first name is cut to the 50 px before it.
    assert first.label_inside and len(first.label) * 7 <= 60 - 2 * 5 and first.label.endswith("…")
    assert second.label == "Lena Novak"


def test_a_name_beside_the_last_stay_stops_at_the_chart_s_end():
    (last,) = label_stays([stay(950, 24, "Bea Moreira Santos")], 1008)

    assert not last.label_inside and last.label_x + len(last.label) * 7 <= 1008


# Ghost bars of the reschedule preview


def test_a_ghost_is_drawn_like_the_bar_at_the_new_dates():
    ghost = layout_ghost(DAY_WINDOW, 7, day(2), day(4))

    assert (ghost.task_id, ghost.x, ghost.width, ghost.clipped_left, ghost.clipped_right) == (7, 144, 216, False, False)


def test_a_ghost_past_the_window_is_clipped_and_one_wholly_outside_is_none():
    clipped = layout_ghost(DAY_WINDOW, 7, day(12), day(20))

    assert (clipped.x, clipped.width, clipped.clipped_right) == (12 * 72, 2 * 72, True)
    assert layout_ghost(DAY_WINDOW, 7, day(30), day(31)) is None
