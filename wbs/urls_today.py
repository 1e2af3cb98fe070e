"""The managers' start page (/today/) and its assignment in place."""

from django.urls import path

from wbs.views import today

urlpatterns = [
    path("today/", today.today, name="today"),
    path("today/tasks/<int:pk>/assign/", today.today_assign, name="today_assign"),
]
