"""The managers' start page (/today/)."""

from django.urls import path

from wbs.views import today

urlpatterns = [path("today/", today.today, name="today")]
