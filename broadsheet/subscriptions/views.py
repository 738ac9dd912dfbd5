"""The reader's subscription pages: plans, buying, their subscription and its people."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from broadsheet.newsroom import selectors as newsroom_selectors

from . import rules, selectors, stripe_api
from .models import PlanKind
from .services import invitations, seats
from .services.checkout import (
    cancel_start,
    checkout_start,
    checkout_validate,
    plan_change_start,
    portal_start,
    seats_change_start,
)
from .services.errors import CheckoutError, InvitationError, SeatError
from .services.invitations import invitation_accept, invitation_revoke, invitation_send
from .services.organisations import (
    organisation_admin_accept,
    organisation_admin_invitation_read,
    organisation_admin_invite,
)
from .tokens import token_hash

logger = logging.getLogger(__name__)

REFUSALS = {
    rules.Refusal.NOT_MANAGER: gettext_lazy("Only the holder or an admin can do that."),
    rules.Refusal.NO_EXTRA_PEOPLE: gettext_lazy(
        "A Digital subscription is for one person. Change to Premium to add another person."
    ),
    rules.Refusal.FULL: gettext_lazy(
        "Every seat is taken or promised to an open invitation. Free a seat or buy more."
    ),
    rules.Refusal.NOT_RUNNING: gettext_lazy("This subscription is not running."),
    rules.Refusal.BELOW_MEMBERS: gettext_lazy(
        "More people have seats than that. Remove some people first."
    ),
    rules.Refusal.TOO_MANY: gettext_lazy("That is more seats than we sell online: contact us."),
    rules.Refusal.TOO_FEW: gettext_lazy("A subscription needs at least one seat."),
    rules.Refusal.NOT_BUSINESS: gettext_lazy("Only Business subscriptions have a seat count."),
    InvitationError.INVALID: gettext_lazy("This invitation link is not valid."),
    InvitationError.EXPIRED: gettext_lazy("This invitation has expired. Ask for a new one."),
    InvitationError.USED: gettext_lazy("This invitation has already been used."),
    InvitationError.WITHDRAWN: gettext_lazy("This invitation was withdrawn."),
    InvitationError.WRONG_ACCOUNT: gettext_lazy(
        "This invitation was sent to another email address. Sign in with that address to accept it."
    ),
    InvitationError.ALREADY_MEMBER: gettext_lazy("That person already has a seat."),
    InvitationError.NO_ORGANISATION: gettext_lazy(
        "Only Business subscriptions have an organisation with admins."
    ),
    InvitationError.ALREADY_ADMIN: gettext_lazy("That person is already an admin."),
    "holder": gettext_lazy("The holder's own seat cannot be removed."),
    "no_seat": gettext_lazy("That seat is already free."),
    "quantity": gettext_lazy("Choose a number of seats we sell online."),
    "organisation": gettext_lazy("Give the name of your organisation."),
    "not_on_sale": gettext_lazy("This plan cannot be bought online at the moment."),
    "no_customer": gettext_lazy("There is no payment account for you yet."),
    "not_stripe": gettext_lazy("This subscription is not managed online: contact us."),
}


def _refusal(code: str) -> str:
    return str(REFUSALS.get(code, _("That is not possible.")))


def _locale_id() -> int:
    edition = newsroom_selectors.edition_for_language()
    if edition is None:
        raise Http404(_("This edition does not exist."))
    return edition.locale_id


def _absolute(request: HttpRequest, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs or None))


def plans(request: HttpRequest) -> HttpResponse:
    """The plans of this edition: the same page for every reader (it is cached)."""
    return render(
        request,
        "subscriptions/plans.html",
        {
            "plans": selectors.plan_list_for_sale(locale_id=_locale_id()),
            "business": PlanKind.BUSINESS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def buy(request: HttpRequest, price_id: int) -> HttpResponse:
    price = selectors.price_for_sale(price_id=price_id, locale_id=_locale_id())
    if price is None:
        raise Http404(_("This plan is not on sale in this edition."))
    context = {"price": price, "plan": price.plan, "business": PlanKind.BUSINESS}
    if not stripe_api.billing_configured():
        return render(request, "subscriptions/billing_not_configured.html", context, status=503)
    if request.method == "GET":
        return render(request, "subscriptions/buy.html", context)
    try:
        quantity = int(request.POST.get("quantity", "1"))
    except ValueError:
        quantity = 0
    try:
        checkout = checkout_validate(
            price=price,
            quantity=quantity,
            organisation_name=request.POST.get("organisation", ""),
        )
        url = checkout_start(
            user=request.user,
            request=checkout,
            success_url=_absolute(request, "subscriptions:welcome")
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=_absolute(request, "subscriptions:plans"),
            language=get_language(),
            now=timezone.now(),
        )
    except CheckoutError as error:
        context["problem"] = _refusal(error.code)
        return render(request, "subscriptions/buy.html", context, status=400)
    except stripe_api.BillingError:
        logger.exception("Stripe checkout failed")
        context["problem"] = _("Payments are not answering. Try again in a few minutes.")
        return render(request, "subscriptions/buy.html", context, status=502)
    return redirect(url, permanent=False)


@login_required
def welcome(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "subscriptions/welcome.html",
        {"subscriptions": selectors.subscription_list_for_user(user=request.user)},
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # login_required
    rows = []
    for subscription in selectors.subscription_list_for_user(user=request.user):
        manages = selectors.user_manages(subscription=subscription, user=request.user)
        rows.append(
            {
                "subscription": subscription,
                "access": selectors.subscription_access(subscription=subscription, now=now),
                "is_holder": subscription.holder_id == request.user.pk,
                "manages": manages,
                "seats": selectors.seat_list(subscription=subscription) if manages else [],
                "my_seat": subscription.seats.filter(user=user).first(),
                "invitations": selectors.invitation_list_open(subscription=subscription, now=now)
                if manages
                else [],
                "summary": selectors.seats_summary(subscription=subscription, now=now),
                "admins": selectors.organisation_admin_list(
                    organisation_id=subscription.organisation_id
                )
                if manages
                else [],
                "upgrades": _upgrades(subscription),
            }
        )
    return render(
        request,
        "subscriptions/mine.html",
        {
            "rows": rows,
            "entitlement": selectors.entitlement_for(request.user, now=now),
            "billing_configured": stripe_api.billing_configured(),
            "business": PlanKind.BUSINESS,
        },
    )


def _upgrades(subscription) -> list:
    if subscription.plan.kind != PlanKind.DIGITAL or subscription.source != "stripe":
        return []
    return [
        price
        for plan in selectors.plan_list_for_sale(locale_id=subscription.plan.locale_id)
        if plan.kind == PlanKind.PREMIUM
        for price in plan.prices.all()
        if price.interval == subscription.interval
    ]


def _managed(request: HttpRequest, pk: int):
    subscription = selectors.subscription_for_manager(subscription_id=pk, user=request.user)
    if subscription is None:
        raise Http404(_("You do not manage this subscription."))
    return subscription


def _back() -> HttpResponse:
    return redirect("subscriptions:mine")


def _invitee_email(request: HttpRequest, *, missing: str) -> str | None:
    """The address a reader typed to invite someone, or None after saying what is wrong (a
    malformed address, or too many invitations: seat and admin invitations share one limit,
    as both send email to addresses the reader types)."""
    from allauth.core import ratelimit

    email = request.POST.get("email", "").strip()
    try:
        if len(email) > 254:  # the longest address SMTP carries
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        messages.error(request, missing)
        return None
    if not ratelimit.consume(request, action="subscription_invite", user=request.user):
        messages.error(request, _("You have sent many invitations. Try again later."))
        return None
    return email


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _managed(request, pk)
    email = _invitee_email(request, missing=_("Give the email address of the person to invite."))
    if email is None:
        return _back()
    try:
        invitation_send(
            subscription_id=subscription.pk,
            inviter=request.user,
            email=email,
            language=get_language(),
            now=timezone.now(),
        )
    except SeatError as error:
        messages.error(request, _refusal(error.code))
        return redirect("subscriptions:mine")
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
    return _back()


@login_required
@require_POST
def admin_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin of a Business organisation invites another admin by email. Every address
    gets the same answer, account or not: the invitation goes by email, and only the owner
    of the address can accept it."""
    subscription = _managed(request, pk)
    email = _invitee_email(
        request, missing=_("Give the email address of the person to make an admin.")
    )
    if email is None:
        return _back()
    try:
        organisation_admin_invite(
            subscription_id=subscription.pk,
            inviter=request.user,
            email=email,
            language=get_language(),
            now=timezone.now(),
        )
    except SeatError as error:
        messages.error(request, _refusal(error.code))
        return _back()
    messages.success(
        request,
        _(
            "Invitation sent to %(email)s. They become an admin when they accept it, signed in "
            "with that address."
        )
        % {"email": email},
    )
    return _back()


@require_http_methods(["GET", "POST"])
def admin_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An admin invitation link: GET shows it (nothing changes on GET), POST accepts it."""
    now = timezone.now()
    context: dict = {"token": token}
    try:
        context["invitation"] = organisation_admin_invitation_read(token=token, now=now)
    except SeatError as error:
        context["problem"] = _refusal(error.code)
        return render(request, "subscriptions/admin_invitation.html", context, status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            organisation = organisation_admin_accept(token=token, user=request.user, now=now)
        except SeatError as error:
            context["problem"] = _refusal(error.code)
            return render(request, "subscriptions/admin_invitation.html", context, status=409)
        messages.success(
            request, _("You are now an admin of %(name)s.") % {"name": organisation.name}
        )
        return redirect("subscriptions:mine")
    return render(request, "subscriptions/admin_invitation.html", context)


@login_required
@require_POST
def seat_take(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _managed(request, pk)
    try:
        seats.seat_take(subscription_id=subscription.pk, user=request.user, now=timezone.now())
    except SeatError as error:
        messages.error(request, _refusal(error.code))
        return _back()
    messages.success(request, _("You now read with one of the seats."))
    return _back()


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    subscription = _managed(request, pk)
    if not subscription.invitations.filter(pk=invitation_id).exists():
        raise Http404(_("There is no such invitation."))
    invitation_revoke(invitation_id=invitation_id, actor=request.user, now=timezone.now())
    messages.success(request, _("Invitation withdrawn."))
    return _back()


@login_required
@require_POST
def seat_remove(request: HttpRequest, pk: int, seat_id: int) -> HttpResponse:
    subscription = selectors.subscription_list_for_user(user=request.user)
    if not any(s.pk == pk for s in subscription):
        raise Http404(_("There is no such subscription."))
    try:
        seats.seat_remove(seat_id=seat_id, actor=request.user, now=timezone.now())
    except SeatError as error:
        messages.error(request, _refusal(error.code))
        return _back()
    messages.success(request, _("The seat is free."))
    return _back()


@login_required
@require_POST
def seat_reassign(request: HttpRequest, pk: int, seat_id: int) -> HttpResponse:
    subscription = _managed(request, pk)
    if not subscription.seats.filter(pk=seat_id).exists():
        raise Http404(_("There is no such seat."))
    email = request.POST.get("email", "").strip()
    if "@" not in email:
        messages.error(request, _("Give the email address of the person to invite."))
        return _back()
    try:
        invitations.seat_reassign(
            seat_id=seat_id,
            actor=request.user,
            email=email,
            language=get_language(),
            now=timezone.now(),
        )
    except SeatError as error:
        messages.error(request, _refusal(error.code))
        return _back()
    messages.success(request, _("Seat freed; invitation sent to %(email)s.") % {"email": email})
    return _back()


def _to_stripe(request: HttpRequest, start) -> HttpResponse:
    if not stripe_api.billing_configured():
        return render(request, "subscriptions/billing_not_configured.html", {}, status=503)
    try:
        return redirect(start())
    except (CheckoutError, SeatError) as error:
        messages.error(request, _refusal(error.code))
    except stripe_api.BillingError:
        logger.exception("Stripe portal failed")
        messages.error(request, _("Payments are not answering. Try again in a few minutes."))
    return _back()


@login_required
@require_POST
def seats_change(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _managed(request, pk)
    try:
        quantity = int(request.POST.get("quantity", ""))
    except ValueError:
        messages.error(request, _refusal("quantity"))
        return _back()
    return _to_stripe(
        request,
        lambda: seats_change_start(
            subscription=subscription,
            user=request.user,
            quantity=quantity,
            return_url=_absolute(request, "subscriptions:mine"),
        ),
    )


def _held(request: HttpRequest, pk: int):
    subscription = next(
        (
            s
            for s in selectors.subscription_list_for_user(user=request.user)
            if s.pk == pk and s.holder_id == request.user.pk
        ),
        None,
    )
    if subscription is None:
        raise Http404(_("You do not hold this subscription."))
    return subscription


@login_required
@require_POST
def plan_change(request: HttpRequest, pk: int, price_id: int) -> HttpResponse:
    subscription = _held(request, pk)
    price = selectors.price_for_sale(price_id=price_id, locale_id=subscription.plan.locale_id)
    if price is None:
        raise Http404(_("This plan is not on sale in this edition."))
    return _to_stripe(
        request,
        lambda: plan_change_start(
            subscription=subscription,
            price=price,
            return_url=_absolute(request, "subscriptions:mine"),
        ),
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _held(request, pk)
    return _to_stripe(
        request,
        lambda: cancel_start(
            subscription=subscription, return_url=_absolute(request, "subscriptions:mine")
        ),
    )


@login_required
@require_POST
def portal(request: HttpRequest) -> HttpResponse:
    return _to_stripe(
        request,
        lambda: portal_start(
            user=request.user, return_url=_absolute(request, "subscriptions:mine")
        ),
    )


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation link: GET shows it (nothing changes on GET), POST accepts it."""
    found = selectors.invitation_by_token_hash(token_hash=token_hash(token))
    context = {"invitation": found, "token": token}
    if found is None:
        context["problem"] = _refusal(InvitationError.INVALID)
        return render(request, "subscriptions/invitation.html", context, status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            invitation_accept(token=token, user=request.user, now=timezone.now())
        except SeatError as error:
            context["problem"] = _refusal(error.code)
            return render(request, "subscriptions/invitation.html", context, status=409)
        messages.success(request, _("Welcome! You now read with this subscription."))
        return redirect("subscriptions:mine")
    return render(request, "subscriptions/invitation.html", context)
