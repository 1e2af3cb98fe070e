"""Text typed by people, made safe for one-line places: titles, names, email subjects."""

import re
import unicodedata

# Unicode's control characters (Cc: C0, DEL, C1, so CR, LF and tab among them) and its line and paragraph
# separators (Zl, Zp): each breaks a one-line field apart somewhere, an email header most of all.
_BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
_SPACES = re.compile(r"\s+")


def single_line(value: str | None) -> str:
    """`value` on one line: every control character or line break becomes a space, runs of spaces become one,
    and the ends are trimmed. An email subject refuses newlines outright; a title shown in a list or a
    calendar is misdrawn by them."""
    if not value:
        return ""
    if value.isprintable() and "  " not in value and value[0] != " " and value[-1] != " ":
        # Printable means no control character, no line or paragraph separator, and no space but " ": the text
        # is on one line already (the common case, asked thousands of times by a turnover sync).
        return value
    spaced = "".join(" " if unicodedata.category(char) in _BREAKING_CATEGORIES else char for char in value)
    return _SPACES.sub(" ", spaced).strip()


def single_line_fields(values: dict, names) -> dict:
    """`values` with the string values of `names` put on one line (other keys and non-strings untouched)."""
    return {
        name: single_line(value) if name in names and isinstance(value, str) else value
        for name, value in values.items()
    }
