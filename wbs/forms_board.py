"""Forms of the board: moving a card, adding one, and the parameters of a column's load-more request."""

from django import forms

from wbs.models import QUICK_ADD_STATUSES, Task, TaskStatus
from wbs.queries.board import LANES

# Past any real column, and inside what SQLite and PostgreSQL take as an OFFSET or a rank to compare with.
MAX_BOARD_OFFSET = 1_000_000
# Ids are 64-bit (BigAutoField).
MAX_ID = 2**63 - 1


class MoveForm(forms.Form):
    task = forms.IntegerField(min_value=1, max_value=MAX_ID)
    status = forms.ChoiceField(choices=TaskStatus.choices)
    before = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    after = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    confirmed = forms.BooleanField(required=False)


class BoardColumnForm(forms.Form):
    """Which cards a load-more request asks for; the board writes these into each column's URL."""

    status = forms.ChoiceField(choices=TaskStatus.choices)
    offset = forms.IntegerField(min_value=0, max_value=MAX_BOARD_OFFSET, required=False)
    lane = forms.ChoiceField(choices=[("", "None"), *LANES.items()], required=False)
    lane_id = forms.CharField(required=False)

    def clean_offset(self) -> int:
        return self.cleaned_data["offset"] or 0

    def clean_lane(self) -> str | None:
        return self.cleaned_data["lane"] or None

    def clean_lane_id(self) -> int | None:
        return lane_id_from(self.cleaned_data["lane_id"])


def lane_id_from(text: str) -> int | None:
    """A property or user id, or "none" (or nothing) for the lane of tasks without one."""
    raw = text.strip()
    if raw in ("", "none"):
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
        raise forms.ValidationError("lane_id is an id or “none”.")
    return int(raw)


class QuickAddForm(forms.Form):
    """A card typed into a column (of a swimlane: `lane_id`, the lane's property or assignee, or "none")."""

    title = forms.CharField(max_length=Task._meta.get_field("title").max_length, strip=True)
    status = forms.ChoiceField(choices=[(status.value, status.label) for status in QUICK_ADD_STATUSES])
    lane_id = forms.CharField(required=False)

    def clean_lane_id(self) -> int | None:
        return lane_id_from(self.cleaned_data["lane_id"])
