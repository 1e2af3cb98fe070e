"""Properties, the booking table, booking pages, timeline and trash."""

from django.urls import path

from bookings.views import bookings, properties, timeline, trash

urlpatterns = [
    path("", bookings.booking_list, name="list"),
    path("export/", bookings.booking_export, name="export"),
    path("new/", bookings.booking_create_view, name="create"),
    path("<int:pk>/", bookings.booking_detail, name="detail"),
    path("<int:pk>/edit/", bookings.booking_edit_view, name="edit"),
    path("<int:pk>/cancel/", bookings.booking_cancel_view, name="cancel"),
    path("<int:pk>/delete/", bookings.booking_delete_view, name="delete"),
    path("timeline/", timeline.timeline_view, name="timeline"),
    path("properties/", properties.property_list, name="properties"),
    path("properties/new/", properties.property_create_view, name="property_create"),
    path("properties/<int:pk>/", properties.property_detail, name="property_detail"),
    path("properties/<int:pk>/edit/", properties.property_edit_view, name="property_edit"),
    path("properties/<int:pk>/archive/", properties.property_archive_view, name="property_archive"),
    path("trash/", trash.trash, name="trash"),
    path("trash/<str:kind>/<int:pk>/restore/", trash.restore, name="restore"),
]
