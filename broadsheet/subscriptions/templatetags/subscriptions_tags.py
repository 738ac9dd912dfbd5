from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from ..models import Interval, PlanKind
from ..money import money_format

register = template.Library()

# What each kind of plan gives, as a reader weighing them asks: the Premium card answers "can I
# add a person?", the Business card "can I get more accounts for my company?".
PLAN_BENEFITS = {
    PlanKind.DIGITAL: (
        _("Every article, with no limit"),
        _("Read on one device at a time"),
        _("All our newsletters"),
    ),
    PlanKind.PREMIUM: (
        _("Everything in Digital"),
        _("Add a person: a second reader with their own email and account"),
        _("Each of you reads on your own device"),
    ),
    PlanKind.BUSINESS: (
        _("Accounts for your company: buy as many seats as you need"),
        _("Invite colleagues, reassign seats and add more accounts at any time"),
        _("Admins who manage the seats"),
    ),
}

PERIODS = {
    (False, Interval.MONTH): _("per month"),
    (False, Interval.YEAR): _("per year"),
    (True, Interval.MONTH): _("per seat per month"),
    (True, Interval.YEAR): _("per seat per year"),
}


@register.simple_tag
def money(amount_minor: int, currency: str) -> str:
    return money_format(amount_minor=amount_minor, currency=currency)


@register.simple_tag
def price_period(price, plan) -> str:
    """ "per month", "per seat per year", ...: what a price is for."""
    return str(PERIODS[(plan.kind == PlanKind.BUSINESS, price.interval)])


@register.simple_tag
def plan_benefits(plan) -> list[str]:
    return [str(benefit) for benefit in PLAN_BENEFITS.get(plan.kind, ())]
