"""Forms for properties and bookings typed by hand; rules that need the database live in the services."""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict

from bookings.models import Booking, CalendarFeed, Property
from bookings.services.bookings import check_code_free
from bookings.services.properties import check_property_unique, clean_aliases
from core.params import EARLIEST_DATE, LATEST_DATE, date_in_range
from core.roles import ROLES
from core.widgets import DateInput, TimeInput

TIMELINE_MIN_DAYS = 14


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one, else above it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class BookingFieldsForm(forms.ModelForm):
    """A booking's fields as a manager types them (also the admin's form)."""

    class Meta:
        model = Booking
        fields = [
            "property",
            "guest_name",
            "guest_contact",
            "check_in",
            "check_out",
            "adults",
            "children",
            "infants",
            "status",
            "source",
            "external_code",
            "amount",
            "currency",
            "booked_on",
            "notes",
        ]
        labels = {
            "external_code": "Confirmation code",
            "guest_contact": "Contact",
            "booked_on": "Booked on",
            "check_in": "Check-in",
            "check_out": "Check-out",
        }
        widgets = {
            "check_in": DateInput(),
            "check_out": DateInput(),
            "booked_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only live, active properties take new stays (the default manager hides archived ones); a booking
        # being edited keeps its own property on offer even if that was made inactive since.
        offered = Q(active=True)
        if self.instance.property_id:
            offered |= Q(pk=self.instance.property_id)
        self.fields["property"].queryset = Property.objects.filter(offered).order_by("name")
        self.fields["property"].empty_label = "Choose a property"
        self.fields["currency"].widget.attrs.update({"placeholder": "EUR", "maxlength": 3})

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if currency and not (len(currency) == 3 and currency.isalpha()):
            raise ValidationError("Use a three-letter currency code such as EUR or USD.")
        return currency

    def clean(self):
        cleaned = super().clean()
        source, code = cleaned.get("source"), (cleaned.get("external_code") or "").strip()
        cleaned["external_code"] = code
        if source and code:
            try:
                check_code_free(Booking(pk=self.instance.pk, source=source, external_code=code))
            except ValidationError as error:
                add_service_errors(self, error)
        return cleaned


class BookingForm(BookingFieldsForm):
    confirm_overlap = forms.BooleanField(
        required=False, label="Save anyway", help_text="I know these dates overlap another booking."
    )

    def booking_fields(self) -> dict:
        """The cleaned values the services take, without the form-only confirmation."""
        return {name: value for name, value in self.cleaned_data.items() if name != "confirm_overlap"}


class CancelBookingForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        required=False,
        label="Reason",
        help_text="Kept in the booking's history.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Guest called to cancel"}),
    )


class PropertyForm(forms.ModelForm):
    aliases = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line: the listing names the platforms' exports use for this property.",
    )

    class Meta:
        model = Property
        fields = [
            "name",
            "code",
            "address",
            "time_zone",
            "check_in_time",
            "check_out_time",
            "aliases",
            "active",
            "maintenance_owner",
        ]
        labels = {
            "check_in_time": "Check-in from",
            "check_out_time": "Check-out by",
            "maintenance_owner": "Problems go to",
        }
        widgets = {
            "check_in_time": TimeInput(),
            "check_out_time": TimeInput(),
            "address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["aliases"] = "\n".join(self.instance.aliases)
        self.fields["time_zone"].widget.attrs.update({"list": "time-zones", "autocomplete": "off"})
        self.fields["code"].widget.attrs.update({"autocapitalize": "characters"})
        # The people a task can go to: active users with a role (a problem report becomes their task).
        owner = self.fields["maintenance_owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=ROLES)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        owner.label_from_instance = lambda user: user.get_full_name() or user.get_username()
        owner.empty_label = "The default owner (setting)"

    def clean_aliases(self) -> list[str]:
        return clean_aliases(self.cleaned_data["aliases"])

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        candidate = Property(
            pk=self.instance.pk,
            name=cleaned.get("name") or "",
            code=cleaned.get("code") or "",
            aliases=cleaned.get("aliases") or [],
        )
        try:
            check_property_unique(candidate)
        except ValidationError as error:
            add_service_errors(self, error)
        return cleaned

    def property_fields(self) -> dict:
        return dict(self.cleaned_data)


class CalendarFeedForm(forms.ModelForm):
    """A feed's link and platform. The link is a secret: never shown again, so editing leaves it blank to keep it."""

    url = forms.CharField(
        label="iCal link",
        max_length=2000,
        widget=forms.URLInput(
            attrs={"placeholder": "https://www.airbnb.com/calendar/ical/….ics?s=…", "autocomplete": "off"}
        ),
    )

    class Meta:
        model = CalendarFeed
        fields = ["source", "url", "active"]
        labels = {"source": "Platform", "active": "Sync this feed"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["url"] = ""
            self.fields["url"].required = False
            self.fields["url"].help_text = f"Now {self.instance.masked_url()}. Leave blank to keep it."
        else:
            del self.fields["active"]

    def clean_url(self) -> str:
        return self.cleaned_data["url"].strip()


def timeline_span_choices() -> list[tuple[int, str]]:
    spans = {14: "2 weeks", 28: "4 weeks", 42: "6 weeks", settings.TIMELINE_MAX_DAYS: "2 months"}
    spans.setdefault(settings.TIMELINE_DEFAULT_DAYS, f"{settings.TIMELINE_DEFAULT_DAYS} days")
    return sorted(
        (days, label) for days, label in spans.items() if TIMELINE_MIN_DAYS <= days <= settings.TIMELINE_MAX_DAYS
    )


def timeline_window(params: QueryDict, today: datetime.date) -> tuple[datetime.date, int, list[str]]:
    """The timeline's first day and number of days from its URL; bad values fall back to the defaults, with a note.

    Not a Form: the page shows a note and goes on with the default rather than re-rendering errors.
    """
    problems = []
    start = today - datetime.timedelta(days=today.weekday())
    if params.get("start"):
        try:
            asked_start = datetime.date.fromisoformat(params["start"])
        except ValueError:
            problems.append(f"“{params['start']}” is not a date like 2026-03-14; showing this week.")
        else:
            if date_in_range(asked_start):
                start = asked_start
            else:
                problems.append(
                    f"Show a week between {EARLIEST_DATE.year} and {LATEST_DATE.year}, not {asked_start:%Y-%m-%d}; "
                    "showing this week."
                )
    days = settings.TIMELINE_DEFAULT_DAYS
    if params.get("days"):
        try:
            asked = int(params["days"])
        except ValueError:
            asked = None
        if asked is None or not TIMELINE_MIN_DAYS <= asked <= settings.TIMELINE_MAX_DAYS:
            problems.append(
                f"Show between {TIMELINE_MIN_DAYS} and {settings.TIMELINE_MAX_DAYS} days, not “{params['days']}”; "
                f"showing {days}."
            )
        else:
            days = asked
    return start, days, problems
