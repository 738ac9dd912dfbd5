"""Staff screens in the Wagtail admin: seats flagged as shared, takeovers, and how often the
notices, walls and flags happen over time; a flag can be cleared from here."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from broadsheet.accounts.models import ActorKind
from broadsheet.accounts.services import audit_record
from broadsheet.subscriptions.models import Seat

from . import selectors, services
from .models import CountKind, SharingFlag

MANAGE_SHARING = "access.manage_sharing"
PERIODS = {"7": 7, "30": 30, "90": 90}


def _require_permission(request: HttpRequest) -> None:
    if not request.user.has_perm(MANAGE_SHARING):
        raise PermissionDenied


class SharingView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "access/admin/sharing.html"
    page_title = gettext_lazy("Shared seats")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        _require_permission(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        days = PERIODS.get(self.request.GET.get("days", "30"), 30)
        since = timezone.now() - timedelta(days=days)
        totals = selectors.count_totals(since=since)
        series = selectors.counts_by_day(since=since)
        context.update(
            {
                "days": days,
                "periods": list(PERIODS.values()),
                "open_flags": selectors.flag_list_open(),
                "ended_flags": selectors.flag_list_recent(),
                "takeovers": selectors.takeover_list_recent(),
                "totals": [
                    (CountKind(kind).label, totals.get(kind, 0)) for kind in CountKind.values
                ],
                "conversions": selectors.flag_conversions(since=since),
                "daily": [
                    (CountKind(kind).label, series.get(kind, []))
                    for kind in (CountKind.NOTICE, CountKind.TAKEOVER, CountKind.FLAGGED)
                ],
            }
        )
        return context


class SeatView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "access/admin/seat.html"
    page_title = gettext_lazy("Takeovers of a seat")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        _require_permission(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        seat = (
            Seat.objects.select_related("user", "subscription__plan")
            .filter(pk=self.kwargs["seat_id"])
            .first()
        )
        if seat is None:
            raise Http404(_("There is no such seat."))
        context.update(
            {
                "seat": seat,
                "takeovers": selectors.takeover_list_for_seat(seat_id=seat.pk),
                "flags": list(SharingFlag.objects.filter(seat=seat).order_by("-flagged_at")),
            }
        )
        return context


@require_POST
def flag_clear(request: HttpRequest, seat_id: int) -> HttpResponse:
    """Staff clear a seat's flag (e.g. after the reader explained a new phone)."""
    _require_permission(request)
    flag = (
        SharingFlag.objects.select_related("seat__user")
        .filter(seat_id=seat_id, ended_at=None)
        .first()
    )
    if flag is None:
        messages.warning(request, _("That seat has no sharing flag to clear."))
        return redirect("access_admin:sharing")
    now = timezone.now()
    services.sharing_flag_end(
        seat_id=seat_id, reason="staff_cleared", now=now, ended_by=request.user
    )
    audit_record(
        action="sharing.flag_cleared",
        subject=flag.seat.user,
        actor=request.user,
        actor_kind=ActorKind.STAFF,
        target=f"seat:{seat_id}",
        now=now,
    )
    messages.success(request, _("The sharing flag was cleared."))
    return redirect("access_admin:sharing")
