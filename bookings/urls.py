"""URLs of the bookings app, namespace `bookings`, one module per area."""

from bookings import urls_bookings, urls_calendar, urls_imports

app_name = "bookings"

urlpatterns = urls_bookings.urlpatterns + urls_imports.urlpatterns + urls_calendar.urlpatterns
