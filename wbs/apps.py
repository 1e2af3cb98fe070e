from django.apps import AppConfig


class WbsConfig(AppConfig):
    name = "wbs"
    verbose_name = "Work"
