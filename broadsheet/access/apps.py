from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "broadsheet.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self) -> None:
        from . import account_hooks, holes, signals  # noqa: F401
