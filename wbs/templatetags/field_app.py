"""Template tags of the field app: Lucide icons from the vendored sprite, and the offline queue's script."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core.templatetags.ui import icon

register = template.Library()


# The field app's templates load this library alone: it hands on the design system's icon tag.
register.simple_tag(icon)


@register.inclusion_tag("wbs/_field_offline.html")
def field_offline() -> dict:
    """The sync bar, the texts the queue shows (translated here, since the script has no catalogue) and the script."""
    return {
        "sw_url": reverse("wbs:service_worker"),
        "photo_side": settings.FIELD_PHOTO_UPLOAD_SIDE_PX,
        "strings": {
            "waiting_one": _("1 change waiting to send"),
            "waiting_other": _("%(count)s changes waiting to send"),
            "sending": _("Sending…"),
            "saved_offline": _("Saved %(time)s — offline"),
            "offline": _("Offline — changes are kept on this phone"),
            "refused": _("Not applied: %(action)s — %(reason)s"),
            "dismiss": _("Dismiss"),
            "queued": _("Waiting to send"),
            "started": _("Started — waiting to send"),
            "done": _("Done — waiting to send"),
            "problem": _("Problem report saved on this phone; it is sent when there is a connection."),
            "actions": {
                "start": _("Start"),
                "tick": _("Tick"),
                "untick": _("Untick"),
                "done": _("Done"),
                "photo": _("Photo"),
                "problem": _("Problem report"),
            },
        },
    }
