"""Properties, the booking table, booking pages, timeline, conflicts and trash."""

urlpatterns: list = []
