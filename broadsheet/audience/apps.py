from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AudienceConfig(AppConfig):
    name = "broadsheet.audience"
    label = "audience"
    verbose_name = _("Audience")

    def ready(self) -> None:
        from . import holes  # noqa: F401  (registers the "Most viewed" hole)
