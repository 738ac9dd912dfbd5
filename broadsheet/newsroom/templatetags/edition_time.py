from __future__ import annotations

from datetime import datetime

from django import template

from ..time_zones import datetime_with_zone

register = template.Library()


@register.filter
def with_zone(value: datetime | None, format_name: str = "DATETIME_FORMAT") -> str:
    """{{ article.first_published_at|with_zone }}: the edition's local time and its zone."""
    if value is None:
        return ""
    return datetime_with_zone(value, format_name=format_name)
