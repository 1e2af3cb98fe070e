from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "StayOps core"

    def ready(self) -> None:
        # Connects the audit of sign-in lockouts to django-axes' signal, the idle clock to sign-in, and the
        # sign-in signal that refreshes a user's cached language.
        from core import login_throttle, preferences, security  # noqa: F401
