from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "broadsheet.accounts"
    label = "accounts"
    verbose_name = _("Reader accounts")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (allauth and auth signals -> devices, audit)
