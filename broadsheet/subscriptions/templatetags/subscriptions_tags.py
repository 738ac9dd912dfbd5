from __future__ import annotations

from django import template

from ..money import money_format

register = template.Library()


@register.simple_tag
def money(amount_minor: int, currency: str) -> str:
    return money_format(amount_minor=amount_minor, currency=currency)
