"""Forms of the import pages: the upload, the row filter of a batch, conflict resolution and status aliases."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from bookings.importing.formats import FORMATS
from bookings.models import (
    BookingConflict,
    ConflictKind,
    ConflictResolution,
    ConflictState,
    ImportRowAction,
    StatusAlias,
)
from bookings.status_mapping import BUILT_IN, normalize_status
from core.params import MAX_ID

AUTO = "auto"


def source_choices() -> list[tuple[str, str]]:
    return [(AUTO, "Recognise it from the columns"), *((fmt.key, fmt.label) for fmt in FORMATS.values())]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Bookings file",
        # data-dropzone: static/js/dropzone.js turns the input into a drop zone with this prompt.
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv",
                "data-dropzone": "Drag the export here, or click to choose it (.xlsx or .csv)",
            }
        ),
        error_messages={"required": "Choose a file to import: an .xlsx or .csv export."},
    )
    source = forms.ChoiceField(label="Format", choices=source_choices, initial=AUTO)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"An .xlsx or .csv file up to {filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)}: "
            "an Airbnb or Booking.com reservations export, or the StayOps template."
        )


class RowFilterForm(forms.Form):
    """Which rows of a batch to show; an unknown action shows all rows instead of failing."""

    action = forms.ChoiceField(choices=[("", "All rows"), *ImportRowAction.choices], required=False)

    def action_or_all(self) -> str:
        return self.cleaned_data.get("action", "") if self.is_valid() else ""


class ConflictFilterForm(forms.Form):
    state = forms.ChoiceField(choices=[("", "Open and resolved"), *ConflictState.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *ConflictKind.choices], required=False, label="Kind")
    # Set by the "Resolve conflicts" link of an applied import.
    batch = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)

    def filters(self) -> dict:
        """Queryset filters for the valid, non-empty fields; an invalid form filters nothing out and shows why."""
        if not self.is_valid():
            return {}
        lookups = {"state": "state", "kind": "kind", "batch": "batch_id"}
        return {lookups[name]: value for name, value in self.cleaned_data.items() if value}


class ConflictResolveForm(forms.Form):
    resolution = forms.ChoiceField(choices=ConflictResolution.choices)
    # For "cancel one": which booking to cancel, in the words of bookings.services.conflicts.
    choice = forms.ChoiceField(choices=[("", ""), ("incoming", "Incoming"), ("other", "Other")], required=False)

    def __init__(self, *args, conflict: BookingConflict, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = conflict
        self.fields["resolution"].choices = [
            (value, label) for value, label in ConflictResolution.choices if value in allowed
        ]
        self.fields["resolution"].error_messages["invalid_choice"] = (
            "That resolution is not possible for this conflict (it may be resolved already); reload the page."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("resolution") == ConflictResolution.CANCEL_ONE and not cleaned.get("choice"):
            raise forms.ValidationError("Choose which of the two bookings to cancel.")
        if cleaned.get("resolution") != ConflictResolution.CANCEL_ONE:
            cleaned["choice"] = None
        return cleaned


class StatusAliasForm(forms.ModelForm):
    class Meta:
        model = StatusAlias
        fields = ["value", "source", "status"]
        labels = {"value": "Status as the export writes it", "source": "Only for", "status": "Means"}
        help_texts = {"value": "Case and spaces do not matter.", "source": "Leave blank to use it for every source."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "Every source"), *self.fields["source"].choices[1:]]
        self.fields["status"].choices = [("", "Choose a status"), *self.fields["status"].choices[1:]]

    def clean_value(self) -> str:
        # Stored as written (tidied), matched normalized: the page shows what the manager typed.
        value = " ".join(self.cleaned_data["value"].split())
        if not value:
            raise forms.ValidationError("Write the status word as the export has it, e.g. “Awaiting payment”.")
        return value

    def clean(self):
        cleaned = super().clean()
        value, source = cleaned.get("value"), cleaned.get("source", "")
        if value is None:
            return cleaned
        word = normalize_status(value)
        clash = next(
            (alias for alias in StatusAlias.objects.filter(source=source) if normalize_status(alias.value) == word),
            None,
        )
        if clash is not None:
            scope = f" for {clash.get_source_display()}" if clash.source else ""
            self.add_error(
                "value",
                f"“{clash.value}” is already mapped to {clash.get_status_display().lower()}{scope}. "
                "Remove that alias first to change it.",
            )
        self.overrides_built_in = BUILT_IN.get(word)
        return cleaned
