from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "broadsheet.operations"
    label = "operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        from . import metrics

        got_request_exception.connect(metrics.request_exception, dispatch_uid="metrics")
