"""Each edition's time zone: times are stored in UTC and shown in the zone of the edition whose
page shows them (settings.BROADSHEET_EDITIONS), with the zone named, so a reader in Madrid never
has to guess whether "09:30" is theirs."""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format


@cache
def edition_time_zone(language_code: str | None) -> tzinfo:
    """The zone of the edition with this language; UTC for a language no edition has."""
    code = (language_code or "").lower()
    for edition in settings.BROADSHEET_EDITIONS:
        if edition["language"].lower() == code:
            return ZoneInfo(edition.get("time_zone", "UTC"))
    return ZoneInfo("UTC")


def edition_time_zone_activate(language_code: str | None) -> None:
    """Make the edition's zone the current one, so that every `|date` of the page is local."""
    timezone.activate(edition_time_zone(language_code))


def datetime_with_zone(value: datetime, *, format_name: str = "DATETIME_FORMAT") -> str:
    """`value` in the current zone, in the active language's format, followed by the zone's
    abbreviation as it stood then (EST or EDT, CET or CEST)."""
    local = timezone.localtime(value)
    return f"{date_format(local, format_name)} {local.tzname()}"
