"""Form widgets of the design system: native date and time pickers.

Every date field uses the browser's own picker (<input type="date">), which shows the date in the reader's
locale and always sends ISO 8601. The value must be written in ISO too: Django's default would use the
language's DATE_INPUT_FORMATS[0] (pt: 31/12/2026), which a date input cannot read, so the field would look empty."""

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_TIME)
