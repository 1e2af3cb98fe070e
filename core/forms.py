"""Forms of core's own pages: moving a job failure along its workflow."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

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


class PersonChoiceField(forms.ModelChoiceField):
    """People by their full name, or their user name when they have none."""

    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class LanguageForm(forms.Form):
    """A person's language; a manager may also choose whose (a cleaner's phone is often set up for them)."""

    person: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Person"), empty_label=None
    )
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        language_field = self.fields["language"]
        assert isinstance(language_field, forms.ChoiceField)
        language_field.choices = [("", _("The browser's language")), *settings.LANGUAGES]
        if people is None:
            del self.fields["person"]
        else:
            person_field = self.fields["person"]
            assert isinstance(person_field, forms.ModelChoiceField)
            person_field.queryset = people
