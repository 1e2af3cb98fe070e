"""The working-day calendar, forward scheduling per dependency type with lags, and the critical path."""

import datetime

import pytest

from wbs.scheduling import Edge, ScheduleError, Span, WorkCalendar, critical_tasks, reschedule, topological_order

MON = datetime.date(2026, 11, 2)
CALENDAR = WorkCalendar([0, 1, 2, 3, 4], [datetime.date(2026, 11, 11)])  # a Wednesday holiday


def day(offset: int) -> datetime.date:
    return MON + datetime.timedelta(days=offset)


def span(start: datetime.date, due: datetime.date) -> Span:
    return Span(CALENDAR.index(start), CALENDAR.index(due))


def dates(result: Span) -> tuple[datetime.date, datetime.date]:
    return CALENDAR.date(result.start), CALENDAR.date(result.finish)


def test_it_skips_weekends_and_holidays():
    assert CALENDAR.add(day(4), 1) == day(7)  # Friday + 1 → Monday
    assert CALENDAR.add(day(10), 0) == day(10)  # Thursday 12th is a working day
    assert CALENDAR.add(day(8), 1) == day(10)  # Tuesday 10th + 1 skips the Wednesday holiday: Thursday 12th
    assert CALENDAR.add(day(9), 0) == day(10)  # the holiday itself rounds to the next working day
    assert CALENDAR.add(day(5), 0) == day(7)  # a Saturday rounds to Monday
    assert CALENDAR.between(day(0), day(14)) == 9  # two weeks less the holiday
    assert not CALENDAR.is_working(datetime.date(2026, 11, 11))


def test_it_numbers_working_days_both_ways_over_years():
    calendar = WorkCalendar([0, 1, 2, 3, 4, 5], [datetime.date(2027, 1, 1), datetime.date(2026, 12, 25)])
    for offset in range(-400, 800):
        current = MON + datetime.timedelta(days=offset)
        if calendar.is_working(current):
            assert calendar.date(calendar.index(current)) == current


def test_it_refuses_an_empty_working_week():
    with pytest.raises(ValueError, match="non-empty"):
        WorkCalendar([])


@pytest.mark.parametrize(
    ("kind", "lag", "expected"),
    [
        # Predecessor Mon 2 – Tue 3; successor lasts 2 working days and starts on Mon 2.
        ("FS", 0, (day(2), day(3))),  # starts the working day after the predecessor's due date
        ("FS", 2, (day(4), day(7))),  # two working days later, over the weekend
        ("SS", 1, (day(1), day(2))),  # starts a working day after the predecessor starts
        ("FF", 0, (day(0), day(1))),  # already finishes with it: does not move
        ("FF", 3, (day(3), day(4))),  # finishes three working days after the predecessor
        ("SF", 2, (day(0), day(1))),  # finishes by the working day before the predecessor starts, + 2: no move
        ("SF", 3, (day(1), day(2))),
    ],
)
def test_it_schedules_each_dependency_type_with_its_lag(kind, lag, expected):
    spans = {1: span(day(0), day(1)), 2: span(day(0), day(1))}
    planned = reschedule(spans, [Edge(1, 2, kind, lag)], 1, span(day(0), day(1)))
    assert dates(planned.get(2, spans[2])) == expected


def test_it_pushes_a_chain_across_a_weekend_and_a_holiday_keeping_durations():
    spans = {1: span(day(0), day(1)), 2: span(day(2), day(3)), 3: span(day(4), day(4))}
    edges = [Edge(1, 2, "FS", 0), Edge(2, 3, "FS", 0)]

    planned = reschedule(spans, edges, 1, span(day(2), day(3)))

    assert dates(planned[2]) == (day(4), day(7))
    assert dates(planned[3]) == (day(8), day(8))
    # One more day: task 2 ends Tuesday 10th, so task 3 skips the Wednesday holiday.
    planned = reschedule(spans, edges, 1, span(day(3), day(4)))
    assert dates(planned[3]) == (day(10), day(10))
    planned = reschedule(spans, edges, 1, span(day(7), day(8)))
    assert dates(planned[2]) == (day(10), day(11))
    assert dates(planned[3]) == (day(14), day(14))


def test_it_never_drags_successors_earlier_and_never_moves_done_tasks():
    done = CALENDAR.index(day(10))
    spans = {1: span(day(7), day(8)), 2: span(day(10), day(11)), 3: Span(done, done, movable=False)}
    edges = [Edge(1, 2, "FS", 0), Edge(1, 3, "FS", 0)]

    assert set(reschedule(spans, edges, 1, span(day(0), day(1)))) == {1}
    assert set(reschedule(spans, edges, 1, span(day(10), day(11)))) == {1, 2}


def test_it_takes_the_latest_constraint_of_several_predecessors():
    spans = {1: span(day(0), day(0)), 2: span(day(0), day(3)), 3: span(day(0), day(0))}
    edges = [Edge(1, 3, "FS", 0), Edge(2, 3, "FS", 0)]

    planned = reschedule(spans, edges, 1, span(day(1), day(1)))

    assert dates(planned[3]) == (day(4), day(4))


def test_it_orders_tasks_topologically_and_detects_a_loop():
    edges = [Edge(3, 1, "FS", 0), Edge(1, 2, "FS", 0)]
    assert topological_order([1, 2, 3], edges) == [3, 1, 2]
    with pytest.raises(ScheduleError):
        topological_order([1, 2], [Edge(1, 2, "FS", 0), Edge(2, 1, "FS", 0)])


def test_it_finds_the_critical_path_of_a_known_network():
    # A (Mon–Wed) → B (Thu–Fri) → D (Mon); A → C (Thu) → D: C has a day of slack.
    spans = {
        "A": span(day(0), day(2)),
        "B": span(day(3), day(4)),
        "C": span(day(3), day(3)),
        "D": span(day(7), day(7)),
        "E": span(day(0), day(9)),  # not linked to anything: no critical path of its own
    }
    edges = [Edge("A", "B", "FS", 0), Edge("B", "D", "FS", 0), Edge("A", "C", "FS", 0), Edge("C", "D", "FS", 0)]

    assert critical_tasks(spans, edges) == {"A", "B", "D"}


def test_it_finds_a_critical_path_per_network_and_through_lags_and_types():
    spans = {
        1: span(day(0), day(1)),
        2: span(day(3), day(4)),  # FS +1 from 1: no slack
        3: span(day(7), day(8)),  # separate network
        4: span(day(7), day(9)),  # SS with 3, finishes last: 3 and 4 critical
    }
    edges = [Edge(1, 2, "FS", 1), Edge(3, 4, "SS", 0)]

    assert critical_tasks(spans, edges) == {1, 2, 3, 4}


def test_a_task_with_slack_is_not_critical():
    spans = {1: span(day(0), day(0)), 2: span(day(3), day(3)), 3: span(day(0), day(3))}
    edges = [Edge(1, 2, "FS", 0), Edge(3, 2, "FF", 0)]

    assert critical_tasks(spans, edges) == {2, 3}
