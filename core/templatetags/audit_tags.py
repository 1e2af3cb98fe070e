"""Template filters that show audit changes `{field: [old, new]}` in words a manager reads."""

from django import template

register = template.Library()

EMPTY: tuple[object, ...] = (None, "", [], {})


@register.filter
def field_label(name: str) -> str:
    """`guest_contact` -> `Guest contact`, `property_id` -> `Property`."""
    return str(name).removesuffix("_id").replace("_", " ").capitalize()


@register.filter
def audit_lines(changes: dict) -> list[dict]:
    """Each change as {label, old, new}; fields a new object left empty are skipped, they say nothing."""
    lines = []
    for name, values in (changes or {}).items():
        old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
        if old in EMPTY and new in EMPTY:
            continue
        lines.append({"label": field_label(name), "old": old, "new": new})
    return lines
