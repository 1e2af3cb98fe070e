"""Importing bookings: upload, preview, apply, history."""

urlpatterns: list = []
