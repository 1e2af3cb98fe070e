"""The Gantt's bars, arrows and stubs as SVG markup, escaped by construction.

A page draws up to GANTT_MAX_ROWS bars and, at 10,000 tasks, about 500 stubs: the template engine took longer
over them than over the rest of the chart, so they are written here. Not with f-strings: every piece of markup
comes from an `SvgTemplate`, whose text is a literal of this module and whose every value is escaped unless it
is `Markup` that another template made. Templates print `Markup` as it is (it has `__html__`).
"""

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


def _escaped(value: object) -> str:
    if isinstance(value, Markup):
        return value
    if type(value) is int:
        # Digits need no escaping, and most values are coordinates: this keeps a big page's drawing fast.
        return str(value)
    return escape(str(value), quote=True)


class SvgTemplate:
    """A piece of SVG with `{name}` fields; calling it with the values gives Markup, each value escaped."""

    __slots__ = ("source",)

    def __init__(self, source: str):
        self.source = source

    def __call__(self, **values: object) -> Markup:
        return Markup(self.source.format_map({name: _escaped(value) for name, value in values.items()}))


_BAR = SvgTemplate(
    '<a class="gantt-item" id="gantt-task-{task}" href="{url}" hx-get="{url}" data-task="{task}" '
    'data-start="{start}" data-due="{due}"><title>{tooltip}</title>{shape}</a>'
)
_MILESTONE = SvgTemplate('<polygon class="{classes}" points="{points}"/>')
_RECT = SvgTemplate('<rect class="{classes}" x="{x}" y="{y}" width="{width}" height="{height}" rx="4"/>')
_ARROW = SvgTemplate(
    '<path class="{classes}" d="{path}" data-from="{predecessor}" data-to="{successor}" '
    'marker-end="url(#{marker})"><title>{title}</title></path>'
)
_STUB = SvgTemplate(
    '<a class="{classes}" href="{url}" data-task="{task}" data-other="{other}"><title>{tooltip}</title>'
    '<path class="gantt-arrow gantt-arrow-{type}" d="{path}" marker-end="url(#{marker})"/>{clickable}</a>'
)
_STUB_LABEL = SvgTemplate('<text class="gantt-stub-label" x="{x}" y="{y}" text-anchor="{anchor}">{label}</text>')
# Without a label, a wider invisible line is what the pointer finds.
_STUB_HIT = SvgTemplate('<path class="gantt-stub-hit" d="{path}"/>')


def _marker(critical: bool) -> str:
    return "gantt-arrowhead-critical" if critical else "gantt-arrowhead"


def bars_svg(rows: list[Row]) -> Markup:
    """The bars and milestones as SVG links that open the task's date form (hx-target on their group)."""
    parts = []
    for row in rows:
        bar = row.bar
        if bar is None:
            continue
        if bar.milestone:
            classes = "gantt-milestone gantt-critical" if bar.critical else "gantt-milestone"
            points = " ".join(f"{x},{y}" for x, y in bar.diamond)
            shape = _MILESTONE(classes=classes, points=points)
        else:
            classes = f"gantt-bar gantt-status-{bar.status}" + (" gantt-critical" if bar.critical else "")
            shape = _RECT(classes=classes, x=bar.x, y=bar.y, width=bar.width, height=BAR_HEIGHT)
            if bar.progress:
                progress = _RECT(classes="gantt-progress", x=bar.x, y=bar.y, width=bar.progress, height=BAR_HEIGHT)
                shape = Markup.join([shape, progress], separator="")
        parts.append(
            _BAR(
                task=bar.task_id,
                url=row.url,
                start=bar.start.isoformat(),
                due=bar.due.isoformat(),
                tooltip=bar.tooltip,
                shape=shape,
            )
        )
    return Markup.join(parts)


def links_svg(arrows: list[Arrow], stubs: list[Stub]) -> Markup:
    """The arrows between drawn bars, then the stubs to tasks off the chart (with their labels)."""
    parts = []
    for arrow in arrows:
        lag = f" {arrow.lag:+d} working days" if arrow.lag else ""
        parts.append(
            _ARROW(
                classes=f"gantt-arrow gantt-arrow-{arrow.type}" + (" is-critical" if arrow.critical else ""),
                path=arrow.path,
                predecessor=arrow.predecessor,
                successor=arrow.successor,
                marker=_marker(arrow.critical),
                title=f"{arrow.type}{lag}",
            )
        )
    for stub in stubs:
        geometry = stub.geometry
        if stub.label:
            clickable = _STUB_LABEL(
                x=geometry.label_x, y=geometry.label_y, anchor=geometry.label_anchor, label=stub.label
            )
        else:
            clickable = _STUB_HIT(path=geometry.path)
        parts.append(
            _STUB(
                classes=f"gantt-stub gantt-stub-{stub.side}" + (" is-critical" if stub.critical else ""),
                url=stub.url,
                task=stub.task_id,
                other=stub.other_id,
                tooltip=stub.tooltip,
                type=stub.type,
                path=geometry.path,
                marker=_marker(stub.critical),
                clickable=clickable,
            )
        )
    return Markup.join(parts)


def task_options(rows: list[Row]) -> str:
    """The tasks drawn here as <option>s for the toolbar's dependency form."""
    return format_html_join(
        "", '<option value="{}">{}</option>', ((row.task.pk, row.task.title) for row in rows if row.task is not None)
    )
