"""The "Shared seats" screen in the Wagtail admin and its permission."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_urls
from .admin_views import MANAGE_SHARING


class SharingMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(MANAGE_SHARING)


@hooks.register("register_admin_urls")
def register_access_urls():
    return [path("sharing/", include(admin_urls, namespace="access_admin"))]


@hooks.register("register_admin_menu_item")
def register_sharing_menu_item():
    return SharingMenuItem(
        _("Shared seats"), reverse("access_admin:sharing"), icon_name="warning", order=260
    )


@hooks.register("register_permissions")
def register_access_permissions():
    return Permission.objects.filter(content_type__app_label="access", codename="manage_sharing")
