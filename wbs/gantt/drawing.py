"""The Gantt's bars, arrows and stubs as SVG markup, escaped by construction.

A page draws up to GANTT_MAX_ROWS bars and, at 10,000 tasks, about 500 stubs: the template engine took longer
over them than over the rest of the chart, so they are written here. Not with f-strings: every piece of markup
comes from an `SvgTemplate`, whose text is a literal of this module and whose every value is escaped unless it
is `Markup` that another template made. Templates print `Markup` as it is (it has `__html__`).
"""

import re
import string
from collections.abc import Iterable
from html import escape

from django.utils.html import format_html_join

from wbs.gantt.layout import BAR_HEIGHT, Arrow, Row, Stub


class Markup(str):
    """Markup written by an SvgTemplate: every value in it was escaped."""

    __slots__ = ()

    def __html__(self) -> str:
        return self

    @classmethod
    def join(cls, parts: Iterable["Markup"], separator: str = "\n") -> "Markup":
        parts = list(parts)
        for part in parts:
            if not isinstance(part, Markup):
                raise TypeError(f"Only Markup joins Markup, not {type(part).__name__}.")
        return cls(escape(separator).join(parts))


# A value with none of these characters reads the same escaped or not: one search instead of five replaces.
_NEEDS_ESCAPING = re.compile(r"[&<>\"']").search


def _escape_text(value: object) -> str:
    text = str(value)
    return escape(text) if _NEEDS_ESCAPING(text) else text


class SvgTemplate:
    """A piece of SVG with `{name}` fields; calling it with the values (by name) gives Markup.

    A `{name:d}` field takes an integer only (format() refuses anything else), so it needs no escaping; every
    other value is escaped unless it is Markup. The template is turned once into a function around one
    f-string (as namedtuple writes its class), because str.format parses the template on every call and a big
    page makes over a thousand calls: this keeps drawing as fast as the hand-written f-strings it replaced.
    """

    __slots__ = ("render", "source")

    def __init__(self, source: str):
        self.source = source
        namespace: dict = {"_Markup": Markup, "_escape": _escape_text, "_needs_escaping": _NEEDS_ESCAPING}
        pieces, names, text_names = [], [], []
        for number, (literal, name, spec, conversion) in enumerate(string.Formatter().parse(source)):
            if literal:
                # Literals go in by name, so no character of the template is ever read as code.
                namespace[f"_literal{number}"] = literal
                pieces.append(f"{{_literal{number}}}")
            if name is None:
                continue
            if not name.isidentifier() or name.startswith("_") or conversion or spec not in ("", "d"):
                raise ValueError(f"An SvgTemplate field is {{name}} or {{name:d}}, not {{{name}!{conversion}:{spec}}}.")
            pieces.append(f"{{{name}:d}}" if spec == "d" else f"{{{name}}}")
            names.append(name)
            if spec != "d":
                text_names.append(name)
        # Each text field escaped once, even when used twice (a link's href and hx-get); a plain string with
        # nothing to escape is taken as it is without a function call.
        escapes = "".join(
            f"    if {name}.__class__ is not _Markup and ({name}.__class__ is not str or _needs_escaping({name})):\n"
            f"        {name} = _escape({name})\n"
            for name in dict.fromkeys(text_names)
        )
        arguments = ", ".join(dict.fromkeys(names))
        body = "".join(pieces)
        exec(f"def render(*, {arguments}):\n{escapes}    return _Markup(f'{body}')\n", namespace)
        self.render = namespace["render"]

    def __call__(self, **values: object) -> Markup:
        return self.render(**values)


def _literal(text: str) -> Markup:
    """Markup from a literal of this module (a name from a fixed set, an empty string): nothing to escape."""
    return Markup(escape(text))


_NOTHING = _literal("")
_GANTT_CRITICAL = _literal(" gantt-critical")
_IS_CRITICAL = _literal(" is-critical")
_ARROWHEAD = _literal("gantt-arrowhead")
_ARROWHEAD_CRITICAL = _literal("gantt-arrowhead-critical")


# One template per whole element: a big page draws hundreds, and each call costs more than its fields.
_BAR_LINK = (
    '<a class="gantt-item" id="gantt-task-{task:d}" href="{url}" hx-get="{url}" data-task="{task:d}" '
    'data-start="{start}" data-due="{due}"><title>{tooltip}</title>'
)
_BAR_RECT = '<rect class="gantt-bar gantt-status-{status}{critical}" x="{x:d}" y="{y:d}" width="{width:d}" '
_BAR = SvgTemplate(_BAR_LINK + _BAR_RECT + 'height="{height:d}" rx="4"/></a>')
_BAR_WITH_PROGRESS = SvgTemplate(
    _BAR_LINK
    + _BAR_RECT
    + 'height="{height:d}" rx="4"/><rect class="gantt-progress" x="{x:d}" y="{y:d}" width="{progress:d}" '
    'height="{height:d}" rx="4"/></a>'
)
_MILESTONE = SvgTemplate(_BAR_LINK + '<polygon class="gantt-milestone{critical}" points="{points}"/></a>')
_ARROW = SvgTemplate(
    '<path class="gantt-arrow gantt-arrow-{type}{critical}" d="{path}" data-from="{predecessor:d}" '
    'data-to="{successor:d}" marker-end="url(#{marker})"><title>{title}</title></path>'
)
_STUB = (
    '<a class="gantt-stub gantt-stub-{side}{critical}" href="{url}" data-task="{task:d}" data-other="{other:d}">'
    '<title>{tooltip}</title><path class="gantt-arrow gantt-arrow-{type}" d="{path}" marker-end="url(#{marker})"/>'
)
_STUB_WITH_LABEL = SvgTemplate(
    _STUB + '<text class="gantt-stub-label" x="{x:d}" y="{y:d}" text-anchor="{anchor}">{label}</text></a>'
)
# Without a label, a wider invisible line is what the pointer finds.
_STUB_WITH_HIT = SvgTemplate(_STUB + '<path class="gantt-stub-hit" d="{path}"/></a>')


def bars_svg(rows: list[Row]) -> Markup:
    """The bars and milestones as SVG links that open the task's date form (hx-target on their group)."""
    parts = []
    for row in rows:
        bar = row.bar
        if bar is None:
            continue
        if bar.milestone:
            part = _MILESTONE.render(
                task=bar.task_id,
                url=row.url,
                start=bar.start.isoformat(),
                due=bar.due.isoformat(),
                tooltip=bar.tooltip,
                critical=_GANTT_CRITICAL if bar.critical else _NOTHING,
                points=" ".join(f"{x},{y}" for x, y in bar.diamond),
            )
        else:
            part = (
                _BAR_WITH_PROGRESS.render(
                    task=bar.task_id,
                    url=row.url,
                    start=bar.start.isoformat(),
                    due=bar.due.isoformat(),
                    tooltip=bar.tooltip,
                    critical=_GANTT_CRITICAL if bar.critical else _NOTHING,
                    status=bar.status,
                    x=bar.x,
                    y=bar.y,
                    width=bar.width,
                    height=BAR_HEIGHT,
                    progress=bar.progress,
                )
                if bar.progress
                else _BAR.render(
                    task=bar.task_id,
                    url=row.url,
                    start=bar.start.isoformat(),
                    due=bar.due.isoformat(),
                    tooltip=bar.tooltip,
                    critical=_GANTT_CRITICAL if bar.critical else _NOTHING,
                    status=bar.status,
                    x=bar.x,
                    y=bar.y,
                    width=bar.width,
                    height=BAR_HEIGHT,
                )
            )
        parts.append(part)
    return Markup.join(parts)


def links_svg(arrows: list[Arrow], stubs: list[Stub]) -> Markup:
    """The arrows between drawn bars, then the stubs to tasks off the chart (with their labels)."""
    parts = []
    for arrow in arrows:
        lag = f" {arrow.lag:+d} working days" if arrow.lag else ""
        parts.append(
            _ARROW.render(
                type=arrow.type,
                critical=_IS_CRITICAL if arrow.critical else _NOTHING,
                path=arrow.path,
                predecessor=arrow.predecessor,
                successor=arrow.successor,
                marker=_ARROWHEAD_CRITICAL if arrow.critical else _ARROWHEAD,
                title=f"{arrow.type}{lag}",
            )
        )
    for stub in stubs:
        geometry = stub.geometry
        common = {
            "side": stub.side,
            "critical": _IS_CRITICAL if stub.critical else _NOTHING,
            "url": stub.url,
            "task": stub.task_id,
            "other": stub.other_id,
            "tooltip": stub.tooltip,
            "type": stub.type,
            "path": geometry.path,
            "marker": _ARROWHEAD_CRITICAL if stub.critical else _ARROWHEAD,
        }
        if stub.label:
            part = _STUB_WITH_LABEL.render(
                **common, x=geometry.label_x, y=geometry.label_y, anchor=geometry.label_anchor, label=stub.label
            )
        else:
            part = _STUB_WITH_HIT.render(**common)
        parts.append(part)
    return Markup.join(parts)


def task_options(rows: list[Row]) -> str:
    """The tasks drawn here as <option>s for the toolbar's dependency form."""
    return format_html_join(
        "", '<option value="{}">{}</option>', ((row.task.pk, row.task.title) for row in rows if row.task is not None)
    )
