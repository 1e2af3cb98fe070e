"""The booking table's filters: property, status, source, a date range and a guest-or-code search."""

import django_filters
from django import forms
from django.db.models import Q

from bookings.forms import DateInput
from bookings.models import Booking, BookingSource, BookingStatus, Property


class BookingFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "“Staying until” must be on or after “Staying from”.")
        return cleaned


class BookingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_guest_or_code",
        label="Guest or code",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or confirmation code"}),
    )
    property = django_filters.ModelChoiceFilter(queryset=Property.objects.order_by("name"), empty_label="All")
    status = django_filters.ChoiceFilter(choices=BookingStatus.choices, empty_label="All")
    source = django_filters.ChoiceFilter(choices=BookingSource.choices, empty_label="All")
    start = django_filters.DateFilter(method="filter_stay_ends_after", label="Staying from", widget=DateInput())
    end = django_filters.DateFilter(method="filter_stay_starts_by", label="Staying until", widget=DateInput())

    class Meta:
        model = Booking
        fields = ["q", "property", "status", "source", "start", "end"]
        form = BookingFilterForm

    def filter_guest_or_code(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(guest_name__icontains=value) | Q(external_code__icontains=value))

    # The range keeps every booking that shares a night with it: a stay that ends on "from" does not.
    def filter_stay_ends_after(self, queryset, name, value):
        return queryset.filter(check_out__gt=value)

    def filter_stay_starts_by(self, queryset, name, value):
        return queryset.filter(check_in__lte=value)
