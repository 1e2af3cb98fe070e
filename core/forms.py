"""Forms of core's own pages: moving a job failure along its workflow."""

from django import forms

from core.job_failures import NOTE_MAX
from core.models import JobFailureState


class JobFailureStateForm(forms.Form):
    state = forms.ChoiceField(choices=JobFailureState.choices)
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What you found or did (optional)"}),
    )


class JobFailureFilterForm(forms.Form):
    OPEN = "open"
    ALL = "all"
    state = forms.ChoiceField(
        required=False, choices=[(OPEN, "Open"), *JobFailureState.choices, (ALL, "All")], initial=OPEN
    )

    def chosen(self) -> str:
        """The state asked for; open failures when nothing (or nonsense) was asked."""
        if self.is_valid() and self.cleaned_data["state"]:
            return self.cleaned_data["state"]
        return self.OPEN
