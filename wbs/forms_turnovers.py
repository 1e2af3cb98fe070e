"""Forms of the turnovers area: task templates, photo uploads, problem reports, assigning a turnover task."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bookings.models import BookingStatus, Property
from core.errors import InvalidInput
from core.roles import CLEANER, MANAGER
from wbs.models import ChecklistItem, TaskTemplate, TemplateTrigger, default_template_statuses
from wbs.services.photos import prepare_photo
from wbs.services.problems import PROBLEM_MAX_CHARS
from wbs.services.turnovers import PLACEHOLDERS

PHOTO_MARK = "[photo]"
OPTIONAL_MARK = "[optional]"
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


def assignable_users():
    """Active cleaners and managers, the people a task can go to."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name__in=[CLEANER, MANAGER]), is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


def checklist_to_text(items: list[dict]) -> str:
    lines = []
    for item in items or []:
        marks = [PHOTO_MARK] if item.get("requires_photo") else []
        if not item.get("required", True):
            marks.append(OPTIONAL_MARK)
        lines.append(" ".join([item.get("text", ""), *marks]).strip())
    return "\n".join(lines)


class TaskTemplateForm(forms.ModelForm):
    checklist_text = forms.CharField(
        label="Checklist",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"One item per line. End a line with {PHOTO_MARK} when it needs a photo, {OPTIONAL_MARK} when "
        "it may be skipped.",
    )
    booking_statuses = forms.MultipleChoiceField(
        label="For bookings that are",
        choices=[choice for choice in BookingStatus.choices if choice[0] != BookingStatus.CANCELLED],
        widget=forms.CheckboxSelectMultiple,
        help_text="Cancelled bookings never get tasks. Leave “Owner staying” unticked to skip owners’ stays.",
    )
    properties = forms.ModelMultipleChoiceField(
        queryset=Property.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every property.",
    )
    default_assignee = UserChoiceField(queryset=assignable_users(), required=False, empty_label="Nobody")
    backup_assignee = UserChoiceField(
        queryset=assignable_users(),
        required=False,
        empty_label="Nobody",
        help_text="Gets the task when the default person is inactive.",
    )

    class Meta:
        model = TaskTemplate
        fields = [
            "title_pattern",
            "type",
            "trigger",
            "offset_hours",
            "duration_minutes",
            "every_n_nights",
            "priority",
            "default_assignee",
            "backup_assignee",
            "booking_statuses",
            "properties",
            "active",
        ]
        labels = {
            "title_pattern": "Title",
            "offset_hours": "Offset (hours)",
            "duration_minutes": "Duration (minutes)",
            "every_n_nights": "Every N nights",
        }
        help_texts = {
            "title_pattern": "Placeholders: " + " ".join("{" + name + "}" for name in PLACEHOLDERS),
            "offset_hours": "After check-out or on check-in: hours later. Before check-in: hours before arrival. "
            "Negative values move the other way.",
            "every_n_nights": "Only for “Every N nights”: a visit every N nights of a longer stay.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_assignee"].queryset = assignable_users()
        self.fields["backup_assignee"].queryset = assignable_users()
        if self.instance.pk:
            self.fields["checklist_text"].initial = checklist_to_text(self.instance.checklist)
        else:
            self.fields["booking_statuses"].initial = default_template_statuses()
        self.order_fields([*self.Meta.fields[:9], "checklist_text"])

    def clean_title_pattern(self) -> str:
        pattern = self.cleaned_data["title_pattern"].strip()
        unknown = sorted({name for name in _PLACEHOLDER_RE.findall(pattern) if name not in PLACEHOLDERS})
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            allowed = " ".join("{" + name + "}" for name in PLACEHOLDERS)
            raise forms.ValidationError(f"Unknown placeholder {names}. Use only {allowed}.")
        return pattern

    def clean_checklist_text(self) -> list[dict]:
        items = []
        for line in self.cleaned_data["checklist_text"].splitlines():
            text = line.strip()
            requires_photo = PHOTO_MARK in text.lower()
            required = OPTIONAL_MARK not in text.lower()
            text = re.sub(r"\[(photo|optional)\]", "", text, flags=re.IGNORECASE).strip()
            if not text:
                continue
            if len(text) > ChecklistItem._meta.get_field("text").max_length:
                raise forms.ValidationError(f"“{text[:40]}…” is too long: keep each item under 200 characters.")
            items.append({"text": text, "requires_photo": requires_photo, "required": required})
        return items

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("trigger") == TemplateTrigger.EVERY_N_NIGHTS and not cleaned.get("every_n_nights"):
            self.add_error("every_n_nights", "Say every how many nights, e.g. 3.")
        default, backup = cleaned.get("default_assignee"), cleaned.get("backup_assignee")
        if default and backup and default == backup:
            self.add_error("backup_assignee", "Choose someone other than the default assignee, or nobody.")
        return cleaned


class PhotoUploadForm(forms.Form):
    photo = forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        error_messages={"required": _("Choose a photo to upload.")},
    )
    checklist_item = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_photo(self):
        try:
            return prepare_photo(self.cleaned_data["photo"])
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from error


class ProblemForm(forms.Form):
    text = forms.CharField(
        label=_("What is wrong?"),
        max_length=PROBLEM_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("e.g. The shower drain is blocked.")}),
        error_messages={"required": _("Describe the problem: what is wrong, and where.")},
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return prepare_photo(upload)
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from error


class AssignForm(forms.Form):
    assignee = UserChoiceField(queryset=assignable_users(), required=False, empty_label="Unassigned")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()
