"""Row errors of an import grouped by cause, with counts: what the preview shows above the rows.

Listings that match no property and unknown status words are grouped by value (each can be fixed on the preview,
see `fixes.py`); other errors by column and reason, fixed in the file.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bookings.importing.planning import UNKNOWN_PROPERTY, UNKNOWN_STATUS
from bookings.status_mapping import normalize_status

EXAMPLE_ROWS = 5  # row numbers a group names before "…"
SUMMARY_VALUES = 3  # values a group's one-line summary names before "…"
# Rows written before causes were recorded say theirs only in words.
LEGACY_CAUSE_WORDS = {UNKNOWN_PROPERTY: "matches no property", UNKNOWN_STATUS: "is an unknown status"}
_IN_BRACKETS = re.compile(r"\([^)]*\)")


@dataclass
class GroupValue:
    """One value of a cause (a listing, a status word) and the rows that have it."""

    value: str
    rows: int = 0
    examples: list[int] = field(default_factory=list)


@dataclass
class ErrorGroup:
    cause: str  # UNKNOWN_PROPERTY, UNKNOWN_STATUS, or "" for an error fixed in the file
    column: str
    reason: str
    rows: int = 0
    examples: list[int] = field(default_factory=list)
    values: list[GroupValue] = field(default_factory=list)

    @property
    def fixable(self) -> bool:
        return bool(self.cause)

    @property
    def summary(self) -> str:
        """`5 listings match no property: City Loft (100 rows), Sea View (80 rows), … (500 rows)`"""
        if self.cause:
            count = len(self.values)
            what = {
                UNKNOWN_PROPERTY: ("listing matches no property", "listings match no property"),
                UNKNOWN_STATUS: ("status is unknown", "statuses are unknown"),
            }[self.cause][count != 1]
            named = ", ".join(f"{item.value} ({rows_text(item.rows)})" for item in self.values[:SUMMARY_VALUES])
            more = ", …" if count > SUMMARY_VALUES else ""
            return f"{count} {what}: {named}{more}"
        return f"{self.column} {self.reason}: {rows_text(self.rows)}"

    @property
    def more_examples(self) -> bool:
        return self.rows > len(self.examples)


def rows_text(count: int) -> str:
    return f"{count:,} row{'s' if count != 1 else ''}"


def error_cause(error: dict) -> str:
    if "cause" in error:
        return error["cause"]
    reason = str(error.get("reason", ""))
    return next((cause for cause, words in LEGACY_CAUSE_WORDS.items() if words in reason), "")


def group_row_errors(rows: Iterable[tuple[int, list[dict]]]) -> list[ErrorGroup]:
    """Row errors by cause, the causes with most rows first; a row counts once per group it is in.

    Listings and status words are grouped by the value (case and spaces ignored, as imports match them); other
    errors by column and reason, with a value in brackets ignored ("is not after check-in (2026-03-14)").
    """
    groups: dict[tuple[str, str, str], ErrorGroup] = {}
    values: dict[tuple[str, str, str], dict[str, GroupValue]] = {}
    for number, errors in rows:
        counted: set[tuple[str, str, str]] = set()
        for error in errors or []:
            cause = error_cause(error)
            column = str(error.get("column", ""))
            key = (cause, column if not cause else "", "" if cause else _IN_BRACKETS.sub("(…)", error["reason"]))
            group = groups.get(key)
            if group is None:
                group = groups[key] = ErrorGroup(cause=cause, column=column, reason=str(error.get("reason", "")))
                values[key] = {}
            if key not in counted:
                counted.add(key)
                group.rows += 1
                if len(group.examples) < EXAMPLE_ROWS:
                    group.examples.append(number)
            if cause:
                text = " ".join(str(error.get("value", "")).split())
                item = values[key].setdefault(normalize_status(text), GroupValue(value=text))
                item.rows += 1
                if len(item.examples) < EXAMPLE_ROWS:
                    item.examples.append(number)
    for key, group in groups.items():
        group.values = sorted(values[key].values(), key=lambda item: (-item.rows, item.value.casefold()))
    order = {UNKNOWN_PROPERTY: 0, UNKNOWN_STATUS: 1, "": 2}
    return sorted(groups.values(), key=lambda group: (order.get(group.cause, 2), -group.rows, group.column))
