"""Admin changes for agency import: sources (with their file upload) and the import runs."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter

from . import admin_views
from .models import Source
from .services import IMPORT_LOG_ACTION


class SourceIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if self.request.user.has_perm(admin_views.CHANGE_SOURCE):
            buttons.insert(
                0,
                MenuItem(
                    _("Import a file"),
                    url=reverse("agency_sources:import", args=[instance.pk]),
                    icon_name="upload",
                    priority=5,
                ),
            )
        if self.request.user.has_perm(admin_views.VIEW_RUN):
            buttons.append(
                MenuItem(
                    _("Import runs"),
                    url=reverse("agency_runs:index") + f"?source={instance.pk}",
                    icon_name="list-ul",
                    priority=40,
                )
            )
        return buttons


class SourceViewSet(ModelViewSet):
    model = Source
    name = "agency_sources"
    icon = "download"
    menu_label = _("Sources")
    index_view_class = SourceIndexView
    list_display = ["name", "format", "section", "is_active", "poll_minutes", "last_polled_at"]
    list_filter = ["format", "is_active"]
    search_fields = ["name"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("import/<int:pk>/", admin_views.SourceImportView.as_view(), name="import"),
        ]


class RunViewSet(ViewSet):
    name = "agency_runs"
    icon = "list-ul"
    menu_label = _("Import runs")

    def get_urlpatterns(self):
        return [
            path("", admin_views.RunListView.as_view(), name="index"),
            path("<int:pk>/", admin_views.RunReportView.as_view(), name="report"),
        ]

    def get_menu_item(self, order=None):
        item = super().get_menu_item(order)
        item.is_shown = lambda request: request.user.has_perm(admin_views.VIEW_RUN)
        return item


class AgencyGroup(ViewSetGroup):
    items = (SourceViewSet, RunViewSet)
    menu_label = _("Agency import")
    menu_icon = "download"
    menu_order = 240


@hooks.register("register_admin_viewset")
def _agency_viewsets():
    return AgencyGroup()


@hooks.register("register_log_actions")
def _agency_log_actions(actions) -> None:
    @actions.register_action(IMPORT_LOG_ACTION)
    class ImportLog(LogFormatter):
        label = _("Agency import")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            if data.get("error"):
                return _("Refused %(document)s: %(error)s") % {
                    "document": data.get("document") or _("a document"),
                    "error": data.get("error"),
                }
            return _(
                "Imported %(document)s: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged, %(failed)s failed"
            ) % {
                "document": data.get("document") or _("a document"),
                "created": data.get("created", 0),
                "updated": data.get("updated", 0),
                "unchanged": data.get("unchanged", 0),
                "failed": data.get("failed", 0),
            }
