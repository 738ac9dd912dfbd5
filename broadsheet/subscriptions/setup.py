"""The plans every edition starts with (the project's own demo prices; staff edit them)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale

from .models import Interval, Plan, PlanKind, Price

# Minor units per month and per year; Business per seat.
DEFAULT_PRICES = {
    PlanKind.DIGITAL: (1200, 12000),
    PlanKind.PREMIUM: (1800, 18000),
    PlanKind.BUSINESS: (1000, 10000),
}
# A plan's name is the edition's own (staff may rename it): the seed names it in the edition's
# language, as PlanKind's labels are translated.
NAMES = {
    "en": {PlanKind.DIGITAL: "Digital", PlanKind.PREMIUM: "Premium", PlanKind.BUSINESS: "Business"},
    "es": {PlanKind.DIGITAL: "Digital", PlanKind.PREMIUM: "Premium", PlanKind.BUSINESS: "Empresas"},
}
SUMMARIES = {
    "en": {
        PlanKind.DIGITAL: "Every article, for one person.",
        PlanKind.PREMIUM: "Every article, for you and one more person with their own account.",
        PlanKind.BUSINESS: "Seats for your team: invite people, reassign seats, buy more.",
    },
    "es": {
        PlanKind.DIGITAL: "Todos los artículos, para una persona.",
        PlanKind.PREMIUM: "Todos los artículos, para ti y otra persona con su propia cuenta.",
        PlanKind.BUSINESS: "Accesos para tu equipo: invita, reasigna y compra más.",
    },
}


@transaction.atomic
def plans_setup() -> list[Plan]:
    plans = []
    for config in settings.BROADSHEET_EDITIONS:
        locale = Locale.objects.filter(language_code=config["language"]).first()
        if locale is None:
            continue
        language = config["language"].split("-")[0]
        summaries = SUMMARIES.get(language, SUMMARIES["en"])
        names = NAMES.get(language, NAMES["en"])
        for order, kind in enumerate(DEFAULT_PRICES):
            plan = Plan.objects.filter(locale=locale, kind=kind, is_active=True).first()
            if plan is None:
                plan = Plan.objects.create(
                    locale=locale,
                    kind=kind,
                    name=names[kind],
                    summary=summaries[kind],
                    sort_order=order,
                )
                monthly, yearly = DEFAULT_PRICES[kind]
                for interval, amount in ((Interval.MONTH, monthly), (Interval.YEAR, yearly)):
                    Price.objects.create(
                        plan=plan,
                        interval=interval,
                        amount_minor=amount,
                        currency=config["currency"],
                    )
            plans.append(plan)
    return plans
