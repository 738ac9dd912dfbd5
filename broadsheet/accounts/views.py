"""The reader's account pages beside allauth's: overview, devices, data export, deletion."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .sessions import device_id_for_request


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/overview.html",
        {"devices": selectors.device_list(user=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def devices(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        now = timezone.now()
        if "everywhere_else" in request.POST:
            count = services.device_sign_out_others(
                user=request.user,
                keep_session_key=request.session.session_key,
                actor=request.user,
                now=now,
            )
            message = ngettext(
                "Signed out %(count)d other device.", "Signed out %(count)d other devices.", count
            )
            messages.success(request, message % {"count": count})
        else:
            try:
                device_id = int(request.POST.get("device", ""))
            except ValueError:
                return HttpResponseBadRequest(_("Choose a device to sign out."))
            if device_id == device_id_for_request(request):
                return redirect("account_logout")
            if services.device_sign_out(
                user=request.user, device_id=device_id, actor=request.user, now=now
            ):
                messages.success(request, _("That device is signed out."))
            else:
                messages.info(request, _("That device was already signed out."))
        return redirect("accounts:devices")
    return render(
        request,
        "accounts/devices.html",
        {
            "devices": selectors.device_list(user=request.user),
            "current_device_id": device_id_for_request(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def export(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/export.html")
    data = selectors.user_export(user=request.user)
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="broadsheet-my-data-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def delete(request: HttpRequest) -> HttpResponse:
    refusal = services.user_deletion_refusal(user=request.user)
    if request.method == "POST" and not refusal:
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that you want to delete it."))
            return redirect("accounts:delete")
        try:
            services.user_delete(user=request.user, now=timezone.now())
        except services.AccountDeletionRefusedError as error:
            refusal = str(error)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("accounts:deleted")
    status = 409 if request.method == "POST" and refusal else 200
    return render(request, "accounts/delete.html", {"refusal": refusal}, status=status)


def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/deleted.html")
