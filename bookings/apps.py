from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self) -> None:
        from bookings.calendar.jobs import ensure_schedule_after_migrate
        from bookings.metrics import booking_metrics
        from core.metrics import register_provider

        post_migrate.connect(ensure_schedule_after_migrate, sender=self)
        register_provider(booking_metrics)
