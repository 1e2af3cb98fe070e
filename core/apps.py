from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "StayOps core"

    def ready(self):
        # Connects the audit of sign-in lockouts to django-axes' signal, and the idle clock to sign-in.
        from core import login_throttle, security  # noqa: F401
