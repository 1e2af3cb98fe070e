"""Forms of the import pages: the upload, the row filter of a batch, conflict resolution and status aliases."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from bookings.importing.error_groups import ErrorGroup
from bookings.importing.fixes import ListingFix, StatusFix
from bookings.importing.formats import FORMATS
from bookings.importing.planning import UNKNOWN_PROPERTY, UNKNOWN_STATUS
from bookings.models import (
    BookingConflict,
    BookingStatus,
    ConflictKind,
    ConflictResolution,
    ConflictState,
    ImportRowAction,
    Property,
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


# --- Fixing an import from its preview ---------------------------------------------------------------------

NEW_PROPERTY = "new"


class ListingFixForm(forms.Form):
    """One listing that matches no property: leave it, map it to a property, or create the property."""

    listing = forms.CharField(widget=forms.HiddenInput, max_length=200)
    target = forms.ChoiceField(required=False, label="Use")
    name = forms.CharField(required=False, max_length=200, label="New property's name")
    code = forms.CharField(required=False, max_length=20, label="Code")

    def __init__(self, *args, properties: list[Property], listings: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.listings = listings
        self.properties = {str(prop.pk): prop for prop in properties}
        self.fields["target"].choices = [
            ("", "Leave for now"),
            (NEW_PROPERTY, "Create a new property…"),
            ("Map to a property", [(pk, f"{prop.name} ({prop.code})") for pk, prop in self.properties.items()]),
        ]
        self.fields["code"].widget.attrs.update({"autocapitalize": "characters", "class": "mono"})

    def clean_listing(self) -> str:
        listing = " ".join(self.cleaned_data["listing"].split())
        if normalize_status(listing) not in self.listings:
            raise forms.ValidationError("This listing is no longer among the file's errors; reload the page.")
        return listing

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("target") == NEW_PROPERTY:
            if not " ".join((cleaned.get("name") or "").split()):
                self.add_error("name", "Write the new property's name.")
            if not (cleaned.get("code") or "").strip():
                self.add_error("code", "Write a short code, e.g. LOFT.")
        return cleaned

    def fix(self) -> ListingFix | None:
        target = self.cleaned_data.get("target")
        if not target:
            return None
        listing = self.cleaned_data["listing"]
        if target == NEW_PROPERTY:
            return ListingFix(listing=listing, name=self.cleaned_data["name"], code=self.cleaned_data["code"])
        return ListingFix(listing=listing, property=self.properties[target])


class StatusFixForm(forms.Form):
    """One unknown status word: leave it, or map it to an internal status."""

    value = forms.CharField(widget=forms.HiddenInput, max_length=64)
    status = forms.ChoiceField(required=False, label="Means", choices=[("", "Leave for now"), *BookingStatus.choices])

    def __init__(self, *args, statuses: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.statuses = statuses

    def clean_value(self) -> str:
        value = " ".join(self.cleaned_data["value"].split())
        if normalize_status(value) not in self.statuses:
            raise forms.ValidationError("This status is no longer among the file's errors; reload the page.")
        return value

    def fix(self) -> StatusFix | None:
        status = self.cleaned_data.get("status")
        return StatusFix(value=self.cleaned_data["value"], status=status) if status else None


ListingFixFormSet = forms.formset_factory(ListingFixForm, extra=0)
StatusFixFormSet = forms.formset_factory(StatusFixForm, extra=0)


class ImportFixForms:
    """The preview's fix step: one form per unknown listing and per unknown status, submitted together."""

    def __init__(self, data=None, *, groups: list[ErrorGroup], properties: list[Property]):
        by_cause = {group.cause: group for group in groups if group.cause}
        listing_group, status_group = by_cause.get(UNKNOWN_PROPERTY), by_cause.get(UNKNOWN_STATUS)
        self.listing_values = listing_values = {normalize_status(item.value): item for item in _values(listing_group)}
        self.status_values = status_values = {normalize_status(item.value): item for item in _values(status_group)}
        self.listing_group, self.status_group = listing_group, status_group
        self.listings = ListingFixFormSet(
            data,
            prefix="listing",
            initial=[{"listing": item.value, "name": item.value} for item in listing_values.values()],
            form_kwargs={"properties": properties, "listings": set(listing_values)},
        )
        self.statuses = StatusFixFormSet(
            data,
            prefix="status",
            initial=[{"value": item.value} for item in status_values.values()],
            form_kwargs={"statuses": set(status_values)},
        )
        self.refused = ""

    def __bool__(self) -> bool:
        return bool(self.listing_values or self.status_values)

    def listing_rows(self) -> list[tuple]:
        """(form, its group value) for the template: rows counted per listing."""
        return [
            (form, self.listing_values.get(normalize_status(form["listing"].value() or ""))) for form in self.listings
        ]

    def status_rows(self) -> list[tuple]:
        return [(form, self.status_values.get(normalize_status(form["value"].value() or ""))) for form in self.statuses]

    def is_valid(self) -> bool:
        return self.listings.is_valid() and self.statuses.is_valid()

    def fixes(self) -> dict:
        return {
            "listings": [fix for fix in (form.fix() for form in self.listings) if fix],
            "statuses": [fix for fix in (form.fix() for form in self.statuses) if fix],
        }

    @property
    def errors(self) -> bool:
        return bool(
            self.refused
            or any(self.listings.errors)
            or any(self.statuses.errors)
            or self.listings.non_form_errors()
            or self.statuses.non_form_errors()
        )


def _values(group: ErrorGroup | None) -> list:
    return group.values if group is not None else []
