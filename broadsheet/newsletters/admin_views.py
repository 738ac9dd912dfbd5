"""The newsroom's newsletter screens in the Wagtail admin: an issue's preview, test send,
schedule, send and report; composing a digest on demand. Each action calls one service."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import rendering, rules, selectors, services
from .models import Issue, Newsletter
from .tasks import send_test_issue

CHANGE_ISSUE = "newsletters.change_issue"
VIEW_ISSUE = "newsletters.view_issue"


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=gettext_lazy("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


def _report_url(issue_id: int) -> str:
    return reverse("wagtailsnippets_newsletters_issue:report", args=[issue_id])


class IssueReportView(WagtailAdminTemplateMixin, TemplateView):
    """One issue: where it stands, what was sent, and what an editor can do next."""

    template_name = "newsletters/admin/issue_report.html"
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_ISSUE) and not request.user.has_perm(CHANGE_ISSUE):
            raise PermissionDenied
        self.issue = get_object_or_404(
            Issue.objects.select_related("newsletter__locale"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.issue.subject

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse("wagtailsnippets_newsletters_issue:list"),
                "label": _("Newsletter issues"),
            },
            {"url": "", "label": self.issue.subject},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issue = self.issue
        context.update(
            {
                "issue": issue,
                "items": selectors.issue_items(issue=issue),
                "report": selectors.issue_report(issue=issue) if issue.snapshot_at else None,
                "audience": selectors.subscription_confirmed_count(newsletter=issue.newsletter),
                "can_change": self.request.user.has_perm(CHANGE_ISSUE),
                "schedule_form": kwargs.get("schedule_form")
                or ScheduleForm(
                    initial={"when": timezone.localtime(issue.scheduled_for)}
                    if issue.scheduled_for
                    else None
                ),
                "edit_url": reverse("wagtailsnippets_newsletters_issue:edit", args=[issue.pk])
                if issue.is_editable
                else "",
                "unconfirmed_url": reverse(
                    "wagtailsnippets_newsletters_issue:unconfirmed", args=[issue.pk]
                ),
                "preview_html_url": reverse(
                    "wagtailsnippets_newsletters_issue:preview_html", args=[issue.pk]
                ),
                "preview_text_url": reverse(
                    "wagtailsnippets_newsletters_issue:preview_text", args=[issue.pk]
                ),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_ISSUE):
            raise PermissionDenied
        action = request.POST.get("action", "")
        issue = self.issue
        now = timezone.now()
        try:
            if action == "test":
                self._send_test(request)
            elif action == "schedule":
                form = ScheduleForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Enter the date and time to send at."))
                    return self.render_to_response(self.get_context_data(schedule_form=form))
                services.issue_schedule(issue_id=issue.pk, when=form.cleaned_data["when"], now=now)
                messages.success(request, _("The issue is scheduled."))
            elif action == "unschedule":
                services.issue_unschedule(issue_id=issue.pk)
                messages.success(request, _("The issue is back to draft."))
            elif action == "cancel":
                services.issue_cancel(issue_id=issue.pk)
                messages.success(request, _("The issue is cancelled."))
            elif action == "send":
                if services.issue_send_start(issue_id=issue.pk, now=now, user=request.user):
                    messages.success(request, _("Sending has started."))
                else:
                    messages.warning(request, _("This issue is already being sent."))
            else:
                messages.error(request, _("Unknown action."))
        except services.IssueError as error:
            messages.error(request, str(error))
        return redirect(_report_url(issue.pk))

    def _send_test(self, request) -> None:
        email = getattr(request.user, "email", "")
        if not email:
            messages.error(request, _("Your account has no email address to send the test to."))
            return
        issue_id = self.issue.pk
        transaction.on_commit(lambda: send_test_issue.enqueue(issue_id=issue_id, email=email))
        messages.success(request, _("A test is on its way to %(email)s.") % {"email": email})


class UnconfirmedDeliveriesView(WagtailAdminTemplateMixin, TemplateView):
    """An issue's messages handed to the mail server whose outcome was never recorded (the
    server or the worker died in between): staff resend them (once) or mark them received,
    selected, one by one, or all at once."""

    template_name = "newsletters/admin/unconfirmed.html"
    header_icon = "mail"
    per_page = 100

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_ISSUE) and not request.user.has_perm(CHANGE_ISSUE):
            raise PermissionDenied
        self.issue = get_object_or_404(
            Issue.objects.select_related("newsletter__locale"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Unconfirmed deliveries")

    def get_page_subtitle(self):
        return self.issue.subject

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse("wagtailsnippets_newsletters_issue:list"),
                "label": _("Newsletter issues"),
            },
            {"url": _report_url(self.issue.pk), "label": self.issue.subject},
            {"url": "", "label": _("Unconfirmed deliveries")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deliveries = selectors.deliveries_unconfirmed(issue=self.issue)
        page = Paginator(deliveries, self.per_page).get_page(self.request.GET.get("p"))
        context.update(
            {
                "issue": self.issue,
                "page_obj": page,
                "deliveries": page.object_list,
                "can_change": self.request.user.has_perm(CHANGE_ISSUE),
                "report_url": _report_url(self.issue.pk),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        action, _sep, one = request.POST.get("action", "").partition(":")
        if action not in ("resend", "received"):
            return HttpResponseBadRequest(_("Unknown action."))
        if one:
            raw_ids = [one]
        elif request.POST.get("scope") == "all":
            raw_ids = selectors.deliveries_unconfirmed(issue=self.issue).values_list(
                "pk", flat=True
            )
        else:
            raw_ids = request.POST.getlist("delivery")
        ids = _ids(raw_ids)
        if ids is None:
            return HttpResponseBadRequest(_("The deliveries to act on are not valid."))
        if not ids:
            messages.warning(request, _("Choose at least one delivery."))
            return redirect(request.get_full_path())
        act = (
            services.deliveries_resend if action == "resend" else services.deliveries_mark_received
        )
        try:
            done = act(
                issue_id=self.issue.pk, delivery_ids=ids, user=request.user, now=timezone.now()
            )
        except services.IssueError as error:
            messages.error(request, str(error))
            return redirect(request.get_full_path())
        if action == "resend":
            text = ngettext(
                "%(count)s message will be sent once more.",
                "%(count)s messages will be sent once more.",
                done,
            )
        else:
            text = ngettext(
                "%(count)s message is marked as received.",
                "%(count)s messages are marked as received.",
                done,
            )
        messages.success(request, text % {"count": done})
        if done < len(ids):
            messages.warning(
                request,
                _(
                    "The others were resolved already, or were resent once already (they can "
                    "only be marked as received)."
                ),
            )
        return redirect(request.get_full_path())


_MAX_ID = 2**63 - 1


def _ids(values) -> list[int] | None:
    """Delivery ids from a form; None if any is not one."""
    ids = []
    for value in values:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or not 0 < int(text) <= _MAX_ID:
            return None
        ids.append(int(text))
    return ids


def _preview(request, pk: int):
    if not request.user.has_perm(VIEW_ISSUE) and not request.user.has_perm(CHANGE_ISSUE):
        raise PermissionDenied
    issue = get_object_or_404(Issue.objects.select_related("newsletter__locale"), pk=pk)
    if issue.snapshot_at:
        rendered = rendering.RenderedIssue(
            issue.rendered_subject, issue.rendered_html, issue.rendered_text
        )
    else:
        rendered = rendering.issue_render(issue=issue)
    return rendered


def _placeholders_to(text: str, url: str) -> str:
    return text.replace(rendering.UNSUBSCRIBE_PLACEHOLDER, url).replace(
        rendering.PREFERENCES_PLACEHOLDER, url
    )


def issue_preview_html(request, pk: int) -> HttpResponse:
    rendered = _preview(request, pk)
    return HttpResponse(_placeholders_to(rendered.html, "#"))


def issue_preview_text(request, pk: int) -> HttpResponse:
    rendered = _preview(request, pk)
    return HttpResponse(
        _placeholders_to(rendered.text, "#"), content_type="text/plain; charset=utf-8"
    )


class NewsletterComposeView(WagtailAdminTemplateMixin, TemplateView):
    """Compose the next digest of this newsletter now: GET asks, POST composes."""

    template_name = "newsletters/admin/compose_confirm.html"
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("newsletters.add_issue"):
            raise PermissionDenied
        self.newsletter = get_object_or_404(
            Newsletter.objects.select_related("locale"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Compose the next digest")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["newsletter"] = self.newsletter
        context["slot"] = self._slot(timezone.now())
        return context

    def _slot(self, now):
        newsletter = self.newsletter
        return rules.next_slot(weekday=newsletter.send_weekday, at=newsletter.send_time, after=now)

    def post(self, request, *args, **kwargs):
        now = timezone.now()
        slot = self._slot(now)
        issue = services.digest_compose(newsletter=self.newsletter, slot=slot, now=now)
        if issue is None:
            existing = Issue.objects.filter(
                newsletter=self.newsletter, composed_automatically=True, period_end=slot
            ).first()
            if existing is not None:
                messages.warning(request, _("The issue for the next send exists already."))
                return redirect(_report_url(existing.pk))
            messages.error(request, _("There are no articles to put in a digest yet."))
            return redirect(reverse("wagtailsnippets_newsletters_newsletter:list"))
        messages.success(request, _("The digest is composed."))
        return redirect(_report_url(issue.pk))


IMPORT_MAX_BYTES = 20 * 1024 * 1024


class SubscribersImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Our export's columns (email, consent_at, requested_at, source) or a Mailchimp "
            "audience export. Rows with a consent time are subscribed as of then; the others "
            "are sent a confirmation email."
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("Source of rows without one"),
        max_length=32,
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB: split it."))
        return upload


class SubscribersImportView(WagtailAdminTemplateMixin, TemplateView):
    """Import a CSV of subscribers into one newsletter: all of it, or none and why."""

    template_name = "newsletters/admin/subscribers_import.html"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("newsletters.add_subscriber"):
            raise PermissionDenied
        self.newsletter = get_object_or_404(
            Newsletter.objects.select_related("locale"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Import subscribers")

    def get_page_subtitle(self):
        return str(self.newsletter)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["newsletter"] = self.newsletter
        context.setdefault("form", SubscribersImportForm())
        return context

    def post(self, request, *args, **kwargs):
        from . import transfer

        form = SubscribersImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        report = transfer.subscribers_import(
            newsletter=self.newsletter,
            data=upload.read(),
            default_source=form.cleaned_data["source"] or f"import:{upload.name}"[:32],
            now=timezone.now(),
        )
        status = 200 if report.ok else 400
        return self.render_to_response(
            self.get_context_data(form=form, report=report), status=status
        )


def subscribers_export(request, pk: int) -> HttpResponse:
    """The newsletter's subscribers as a CSV download (?format=mailchimp: Mailchimp's)."""
    from . import transfer

    if not request.user.has_perm("newsletters.view_subscriber"):
        raise PermissionDenied
    newsletter = get_object_or_404(Newsletter.objects.select_related("locale"), pk=pk)
    style = request.GET.get("format", "broadsheet")
    if style not in transfer.FORMATS:
        return HttpResponseBadRequest(_("Unknown export format."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{newsletter.locale.language_code}-{newsletter.slug}-{style}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    transfer.subscribers_export(newsletter=newsletter, out=response, style=style)
    return response
