"""Staff views in the Wagtail admin: find a reader, see and change their subscriptions."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from broadsheet.accounts import selectors as account_selectors
from broadsheet.accounts import services as account_services
from broadsheet.accounts.models import ActorKind

from . import selectors, stripe_api
from .models import Organisation, Plan, PlanKind, Seat, Subscription
from .services import organisations, seats
from .services.staff import subscription_end_by_staff, subscription_grant_comp

logger = logging.getLogger(__name__)
User = get_user_model()

VIEW_PERMISSION = "subscriptions.view_subscription"
CHANGE_PERMISSION = "subscriptions.change_subscription"


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


class CompForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.filter(is_active=True).select_related("locale"),
        label=gettext_lazy("Plan"),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Seats (Business only)"), min_value=1, max_value=10_000, initial=1
    )
    organisation = forms.CharField(
        label=gettext_lazy("Organisation (Business only)"), max_length=120, required=False
    )
    note = forms.CharField(label=gettext_lazy("Why"), max_length=200)

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        if ends_on <= timezone.now().date():
            raise forms.ValidationError(_("Choose a day after today."))
        return ends_on


def reader_search(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW_PERMISSION)
    query = request.GET.get("q", "")[:254]
    readers = account_selectors.user_search(query=query)
    return render(
        request,
        "subscriptions/admin/reader_search.html",
        {"query": query, "readers": readers},
    )


def reader_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, VIEW_PERMISSION)
    reader = get_object_or_404(User, pk=user_id)
    now = timezone.now()
    subscriptions = selectors.subscription_list_for_user(user=reader)
    rows = [
        {
            "subscription": s,
            "seats": selectors.seat_list(subscription=s),
            "invitations": selectors.invitation_list_open(subscription=s, now=now),
            "summary": selectors.seats_summary(subscription=s, now=now),
            "events": selectors.billing_event_list(subscription=s, limit=50),
            "admins": selectors.organisation_admin_list(organisation_id=s.organisation_id),
        }
        for s in subscriptions
    ]
    return render(
        request,
        "subscriptions/admin/reader_detail.html",
        {
            "reader": reader,
            "entitlement": selectors.entitlement_for(reader, now=now),
            "rows": rows,
            "devices": account_selectors.device_list(user=reader),
            "events": selectors.billing_event_list(user=reader, limit=50),
            "audit": account_selectors.audit_list(
                user=reader, targets=[f"subscription:{s.pk}" for s in subscriptions]
            ),
            "comp_form": CompForm(),
            "can_change": request.user.has_perm(CHANGE_PERMISSION),
            "billing_configured": stripe_api.billing_configured(),
        },
    )


@require_POST
def reader_devices_sign_out(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, CHANGE_PERMISSION)
    reader = get_object_or_404(User, pk=user_id)
    now = timezone.now()
    device_id = request.POST.get("device", "")
    if device_id.isdigit():
        account_services.device_sign_out(
            user=reader,
            device_id=int(device_id),
            actor=request.user,
            actor_kind=ActorKind.STAFF,
            now=now,
        )
        messages.success(request, _("The device is signed out."))
    else:
        count = account_services.device_sign_out_others(
            user=reader,
            keep_session_key=None,
            actor=request.user,
            actor_kind=ActorKind.STAFF,
            reason="staff",
            now=now,
        )
        messages.success(request, _("%(count)d devices signed out.") % {"count": count})
    return redirect("subscriptions_admin:reader", user_id=reader.pk)


@require_POST
def reader_comp(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, CHANGE_PERMISSION)
    reader = get_object_or_404(User, pk=user_id)
    form = CompForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(str(error) for error in errors)}")
        return redirect("subscriptions_admin:reader", user_id=reader.pk)
    data = form.cleaned_data
    ends_at = datetime.combine(data["ends_on"], time(23, 59, 59), tzinfo=UTC)
    subscription_grant_comp(
        user=reader,
        plan=data["plan"],
        ends_at=ends_at,
        granted_by=request.user,
        note=data["note"],
        quantity=data["quantity"] if data["plan"].kind == PlanKind.BUSINESS else 1,
        organisation_name=data["organisation"],
        now=timezone.now(),
    )
    messages.success(request, _("Complimentary subscription granted."))
    return redirect("subscriptions_admin:reader", user_id=reader.pk)


@require_POST
def subscription_end(request: HttpRequest, subscription_id: int) -> HttpResponse:
    _require(request, CHANGE_PERMISSION)
    subscription = get_object_or_404(Subscription, pk=subscription_id)
    back = redirect("subscriptions_admin:reader", user_id=subscription.holder_id or request.user.pk)
    try:
        subscription_end_by_staff(
            subscription_id=subscription.pk,
            actor=request.user,
            refund=request.POST.get("refund") == "yes",
            now=timezone.now(),
        )
    except stripe_api.BillingNotConfiguredError:
        messages.error(request, _("Billing is not configured: this subscription is at Stripe."))
        return back
    except stripe_api.BillingError as error:
        logger.warning("staff cancel failed: %s", error)
        messages.error(request, _("Stripe refused: %(error)s") % {"error": error})
        return back
    messages.success(request, _("The subscription has ended."))
    return back


@require_POST
def seat_remove(request: HttpRequest, seat_id: int) -> HttpResponse:
    _require(request, CHANGE_PERMISSION)
    seat = get_object_or_404(Seat, pk=seat_id)
    user_id = request.POST.get("reader", "")
    seats.seat_remove(seat_id=seat.pk, actor=request.user, now=timezone.now(), staff=True)
    messages.success(request, _("The seat is free."))
    return redirect(
        "subscriptions_admin:reader", user_id=int(user_id) if user_id.isdigit() else seat.user_id
    )


@require_POST
def organisation_admin_add(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Staff make an existing reader an admin of an organisation, at once (staff can look
    readers up anyway, so saying that an address has no account reveals nothing new)."""
    _require(request, CHANGE_PERMISSION)
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    user_id = request.POST.get("reader", "")
    back = redirect(
        "subscriptions_admin:reader", user_id=int(user_id) if user_id.isdigit() else request.user.pk
    )
    email = request.POST.get("email", "").strip()
    readers = list(User.objects.filter(email__iexact=email)[:2]) if email else []
    if len(readers) != 1:
        messages.error(
            request,
            _("No reader has the email address %(email)s.") % {"email": email}
            if not readers
            else _("Several accounts have that email address: add the admin from their page."),
        )
        return back
    added = organisations.organisation_admin_add(
        organisation_id=organisation.pk,
        user=readers[0],
        actor=request.user,
        now=timezone.now(),
        staff=True,
    )
    if added:
        messages.success(
            request,
            _("%(email)s is now an admin of %(name)s.")
            % {"email": readers[0].email, "name": organisation.name},
        )
    else:
        messages.error(request, _("That person is already an admin."))
    return back
