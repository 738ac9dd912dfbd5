"""Admin changes for subscriptions: plans as snippets, and the "Readers" staff area."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from broadsheet import converters  # noqa: F401  (registers <id:>)

from . import admin_views
from .models import Plan


class PlanViewSet(SnippetViewSet):
    model = Plan
    icon = "tag"
    menu_label = _("Plans")
    list_display = ["name", "kind", "locale", "is_active"]
    list_filter = ["locale", "kind", "is_active"]
    add_to_admin_menu = True
    menu_order = 310


register_snippet(PlanViewSet)

admin_urls = [
    path("", admin_views.reader_search, name="search"),
    path("<id:user_id>/", admin_views.reader_detail, name="reader"),
    path("<id:user_id>/devices/", admin_views.reader_devices_sign_out, name="devices"),
    path("<id:user_id>/comp/", admin_views.reader_comp, name="comp"),
    path("subscription/<id:subscription_id>/end/", admin_views.subscription_end, name="end"),
    path("seat/<id:seat_id>/remove/", admin_views.seat_remove, name="seat_remove"),
    path(
        "organisation/<id:organisation_id>/admins/add/",
        admin_views.organisation_admin_add,
        name="organisation_admin_add",
    ),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("readers/", include((admin_urls, "subscriptions_admin")))]


class ReadersMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(admin_views.VIEW_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_readers_menu_item():
    return ReadersMenuItem(
        _("Readers"), reverse("subscriptions_admin:search"), icon_name="group", order=300
    )
