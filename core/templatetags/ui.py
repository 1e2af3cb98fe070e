"""Template tags of the design system shared by every page: Lucide icons from the vendored sprite."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = "", css_class: str = "") -> str:
    """An icon from static/vendor/lucide/sprite.svg (names: scripts/vendor_icons.py).

    Beside a text label it is hidden from screen readers, which read the label; alone (an icon-only button),
    `label` names it: role="img" with that name, and a tooltip."""
    classes = f"icon {css_class}".strip()
    sprite = static("vendor/lucide/sprite.svg")
    if label:
        return format_html(
            '<svg class="{}" role="img" aria-label="{}" focusable="false"><title>{}</title>'
            '<use href="{}#{}"></use></svg>',
            classes,
            label,
            label,
            sprite,
            name,
        )
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>', classes, sprite, name
    )
