"""Admin changes for the audience app: the Audience menu item and screens, its permission in
the group editor, and an "Audience" button on every article in the page explorer."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem

from broadsheet.newsroom.models import ArticlePage

from . import admin_urls
from .admin_views import VIEW_AUDIENCE


class AudienceMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_AUDIENCE)


class ArticleAudienceButton(PageMenuItem):
    label = _("Audience")
    icon_name = "view"
    priority = 7

    def is_shown(self, user):
        return (
            issubclass(self.page.specific_class or object, ArticlePage)
            and self.page.first_published_at is not None
            and user.has_perm(VIEW_AUDIENCE)
        )

    @property
    def url(self):
        return reverse("audience_admin:article", args=[self.page.pk])


@hooks.register("register_admin_urls")
def register_audience_urls():
    return [path("audience/", include(admin_urls, namespace="audience_admin"))]


@hooks.register("register_admin_menu_item")
def register_audience_menu_item():
    return AudienceMenuItem(
        _("Audience"), reverse("audience_admin:dashboard"), icon_name="view", order=240
    )


@hooks.register("register_permissions")
def register_audience_permissions():
    return Permission.objects.filter(content_type__app_label="audience", codename="view_audience")


@hooks.register("register_page_listing_more_buttons")
def article_audience_listing_button(page, user, next_url=None):
    button = ArticleAudienceButton(page=page)
    if button.is_shown(user):
        yield button


@hooks.register("register_page_header_buttons")
def article_audience_header_button(page, user, view_name, next_url=None):
    button = ArticleAudienceButton(page=page)
    if button.is_shown(user):
        yield button
