from django.apps import AppConfig


class WbsConfig(AppConfig):
    name = "wbs"
    verbose_name = "Work"

    def ready(self) -> None:
        # Bookings never import wbs: wbs listens for their announcement and answers their questions.
        from bookings import hooks
        from bookings.signals import bookings_changed
        from wbs import receivers

        bookings_changed.connect(receivers.on_bookings_changed, dispatch_uid="wbs.turnovers_sync")
        hooks.register_started_work_provider(receivers.bookings_with_started_tasks)
        hooks.register_booking_panel(receivers.booking_tasks_panel)
