"""Admin changes for the newsletters: newsletters per edition, issues and subscribers."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSet, SnippetViewSetGroup

from broadsheet import converters  # noqa: F401  (registers <id:>)

from . import admin_views, services
from .models import Issue, Newsletter, Subscriber


class NewsletterIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if instance.is_digest and self.request.user.has_perm("newsletters.add_issue"):
            buttons.append(
                ListingButton(
                    _("Compose the next digest"),
                    url=reverse(
                        "wagtailsnippets_newsletters_newsletter:compose", args=[instance.pk]
                    ),
                    icon_name="mail",
                    priority=40,
                )
            )
        if self.request.user.has_perm("newsletters.add_subscriber"):
            buttons.append(
                ListingButton(
                    _("Import or export subscribers"),
                    url=reverse(
                        "wagtailsnippets_newsletters_newsletter:import", args=[instance.pk]
                    ),
                    icon_name="upload",
                    priority=45,
                )
            )
        return buttons


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    menu_label = _("Newsletters")
    index_view_class = NewsletterIndexView
    list_display = ["name", "locale", "kind", "send_weekday", "send_time", "is_active"]
    list_filter = ["locale", "kind", "is_active"]
    search_fields = ["name"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("compose/<id:pk>/", admin_views.NewsletterComposeView.as_view(), name="compose"),
            path("import/<id:pk>/", admin_views.SubscribersImportView.as_view(), name="import"),
            path("export/<id:pk>/", admin_views.subscribers_export, name="export"),
        ]


class IssueIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.insert(
            0,
            ListingButton(
                _("Preview, send and report"),
                url=reverse("wagtailsnippets_newsletters_issue:report", args=[instance.pk]),
                icon_name="mail",
                priority=5,
            ),
        )
        return buttons


class IssueEditView(EditView):
    """An issue that is sending or sent is frozen: its page is the report."""

    def dispatch(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        issue = Issue.objects.filter(pk=kwargs.get("pk")).only("status").first()
        if issue is not None and not issue.is_editable:
            return redirect("wagtailsnippets_newsletters_issue:report", issue.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return reverse("wagtailsnippets_newsletters_issue:report", args=[self.object.pk])


class IssueViewSet(SnippetViewSet):
    model = Issue
    icon = "doc-full"
    menu_label = _("Issues")
    index_view_class = IssueIndexView
    edit_view_class = IssueEditView
    list_display = ["subject", "newsletter", "status", "scheduled_for", "recipient_count"]
    list_filter = ["status", "newsletter"]
    search_fields = ["subject"]
    ordering = ["-created_at"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("report/<id:pk>/", admin_views.IssueReportView.as_view(), name="report"),
            path(
                "unconfirmed/<id:pk>/",
                admin_views.UnconfirmedDeliveriesView.as_view(),
                name="unconfirmed",
            ),
            path("preview/<id:pk>/html/", admin_views.issue_preview_html, name="preview_html"),
            path("preview/<id:pk>/text/", admin_views.issue_preview_text, name="preview_text"),
        ]


class SubscriberViewSet(SnippetViewSet):
    model = Subscriber
    icon = "group"
    menu_label = _("Subscribers")
    list_display = ["email", "language", "created_at", "suppressed_at", "suppression_reason"]
    list_filter = ["language", "suppression_reason"]
    search_fields = ["email"]
    inspect_view_enabled = True
    form_fields = ["language", "suppressed_at", "suppression_reason"]


class NewslettersGroup(SnippetViewSetGroup):
    items = (NewsletterViewSet, IssueViewSet, SubscriberViewSet)
    menu_label = _("Newsletters")
    menu_icon = "mail"
    menu_order = 230


register_snippet(NewslettersGroup)


@hooks.register("after_edit_snippet")
@hooks.register("after_create_snippet")
def _newsletter_changed(request, instance) -> None:
    # The signup box on every article page shows the edition's digest.
    if isinstance(instance, Newsletter):
        services.newsletter_changed(newsletter=instance)
