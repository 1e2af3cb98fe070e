from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_calendar_schedule(sender, **kwargs) -> None:
    """post_migrate: the calendar sync's periodic job is queued. Imported here, when it runs: the calendar
    stack (icalendar, HTTP fetching, the import engine) is a large share of every `manage.py` start-up else."""
    from bookings.calendar.jobs import ensure_schedule_after_migrate

    ensure_schedule_after_migrate(sender=sender, **kwargs)


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self) -> None:
        from bookings.metrics import booking_metrics
        from core.metrics import register_provider

        post_migrate.connect(ensure_calendar_schedule, sender=self)
        register_provider(booking_metrics)
