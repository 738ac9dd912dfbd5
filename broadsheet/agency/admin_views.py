"""Agency import screens in the Wagtail admin: upload a file, the runs, a run's report.
Each action calls one service; permissions are the model permissions of Source and ImportRun."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import selectors, services
from .forms import UploadForm
from .models import ImportRun, RunStatus, Source, Trigger

CHANGE_SOURCE = "agency.change_source"
VIEW_RUN = "agency.view_importrun"
RUNS_PER_PAGE = 50


def run_url(run: ImportRun) -> str:
    return reverse("agency_runs:report", args=[run.pk])


class SourceImportView(WagtailAdminTemplateMixin, TemplateView):
    """Upload a file of one source: GET shows the form, POST imports it into drafts."""

    template_name = "agency/admin/import.html"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_SOURCE):
            raise PermissionDenied
        self.source = get_object_or_404(Source.objects.select_related("section"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Import a file into %(source)s") % {"source": self.source.name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["source"] = self.source
        context["form"] = kwargs.get("form") or UploadForm()
        context["runs"] = selectors.run_list(source_id=self.source.pk)[:5]
        return context

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("The file could not be imported."))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        run = services.document_import(
            source=self.source,
            data=upload.read(),
            trigger=Trigger.UPLOAD,
            document=upload.name,
            user=request.user,
        )
        if run.status == RunStatus.FAILED:
            form.add_error("file", run.error)
            messages.error(
                request,
                _("The file was refused: nothing was imported. %(error)s") % {"error": run.error},
            )
            context = self.get_context_data(form=form)
            context["refused_run"] = run
            return self.render_to_response(context, status=400)
        summary = _(
            "%(created)s drafts created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(failed)s failed."
        ) % {
            "created": run.created_count,
            "updated": run.updated_count,
            "unchanged": run.unchanged_count,
            "failed": run.failed_count,
        }
        if run.status == RunStatus.PARTIAL:
            messages.warning(request, summary)
        else:
            messages.success(request, summary)
        return redirect(run_url(run))


class RunListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "agency/admin/runs.html"
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_RUN):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Agency import runs")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source_id = self.request.GET.get("source", "")
        runs = selectors.run_list(source_id=int(source_id) if source_id.isdigit() else None)
        context["page_obj"] = Paginator(runs, RUNS_PER_PAGE).get_page(self.request.GET.get("p"))
        return context


class RunReportView(WagtailAdminTemplateMixin, TemplateView):
    """One run: its counts, and each item's outcome with its draft or its error."""

    template_name = "agency/admin/run_report.html"
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_RUN):
            raise PermissionDenied
        self.run = get_object_or_404(ImportRun.objects.select_related("source"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Import run of %(source)s") % {"source": self.run.source.name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["run"] = self.run
        context["items"] = selectors.run_items(run=self.run)
        context["can_import"] = self.request.user.has_perm(CHANGE_SOURCE)
        return context
