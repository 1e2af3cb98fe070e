"""Calendar feeds: the list of every feed with its state, and each feed's actions."""

from django.urls import path

from bookings.views import calendar_feeds

urlpatterns = [
    path("feeds/", calendar_feeds.calendar_feed_list, name="calendar_feeds"),
    path("feeds/add/<int:property_pk>/", calendar_feeds.calendar_feed_create_view, name="calendar_feed_create"),
    path("feeds/<int:pk>/edit/", calendar_feeds.calendar_feed_edit_view, name="calendar_feed_edit"),
    path("feeds/<int:pk>/pause/", calendar_feeds.calendar_feed_pause_view, name="calendar_feed_pause"),
    path("feeds/<int:pk>/sync/", calendar_feeds.calendar_feed_sync_view, name="calendar_feed_sync"),
    path(
        "feeds/<int:pk>/review/<str:decision>/",
        calendar_feeds.calendar_feed_review_view,
        name="calendar_feed_review",
    ),
]
