"""Inbound calendar feeds: the platforms' iCal exports fetched, read, matched to bookings and synced."""
