from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "StayOps core"

    def ready(self) -> None:
        # Connects the sign-in signal that refreshes a user's cached language.
        from core import preferences  # noqa: F401
