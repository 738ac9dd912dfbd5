"""Subscribers in and out of a newsletter as CSV: our own columns, or an ESP's (Mailchimp's
audience export). Consent travels with each address.

Glossary
- Consent time: when the address confirmed (double opt-in) or otherwise gave consent; with the
  source, what a regulator asks us to show. An imported row with one is confirmed as of that
  time; a row without one is pending and gets our confirmation email, as a signup would.
- An import is all or nothing: every row is checked first, and a file with any bad row
  imports none of them, reporting each bad row by its line number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from . import rules
from .models import Newsletter, Subscriber, Subscription, SubscriptionStatus

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

MAX_ROWS = 200_000
SOURCE_MAX = 32


@dataclass(frozen=True)
class Columns:
    """Where a format keeps the address, the consent time, the first request and the source."""

    name: str
    email: str
    consent: str
    requested: str = ""
    source: str = ""
    # A row that says it unsubscribed is never subscribed by an import.
    unsubscribed: str = ""


FORMATS = {
    "broadsheet": Columns(
        "broadsheet", "email", "consent_at", "requested_at", "source", "unsubscribed_at"
    ),
    # Mailchimp's audience exports: times in UTC, "YYYY-MM-DD HH:MM:SS"; its unsubscribed
    # export says when in UNSUB_TIME.
    "mailchimp": Columns(
        "mailchimp", "Email Address", "CONFIRM_TIME", "OPTIN_TIME", unsubscribed="UNSUB_TIME"
    ),
}
EXPORT_HEADER = ["email", "status", "consent_at", "requested_at", "source", "unsubscribed_at"]


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    consent_at: datetime | None
    requested_at: datetime | None
    source: str
    unsubscribed: bool = False


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    confirmed: int = 0
    pending: int = 0
    unchanged: int = 0
    # Addresses that unsubscribed or were suppressed here stay so: an import never overrides
    # a reader's no.
    kept_out: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _moment(text: str, *, now: datetime) -> datetime:
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(_("%(value)s is not a date and time") % {"value": text[:40]}) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > now:
        raise ValueError(_("%(value)s is in the future") % {"value": text[:40]})
    return moment


def format_detect(header: Iterable[str]) -> Columns | None:
    names = set(header)
    for columns in FORMATS.values():
        if columns.email in names:
            return columns
    return None


def rows_read(
    data: bytes, *, default_source: str, now: datetime
) -> tuple[list[ImportRow], list[tuple[int, str]]]:
    """Every row of the file, checked; and the bad ones, by line number, with the reason."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, _("The file is not UTF-8 text (save it as CSV UTF-8)."))]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = format_detect(reader.fieldnames or [])
    if columns is None:
        expected = ", ".join(f'"{c.email}"' for c in FORMATS.values())
        return [], [(1, _("No address column: the first line must name one of %s.") % expected)]
    rows: list[ImportRow] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append((line, _("More than %d rows: split the file.") % MAX_ROWS))
                break
            if None in record:
                errors.append((line, _("More fields than the header names.")))
                continue
            email = rules.email_normalise(record.get(columns.email) or "")
            problem = rules.email_problem(email)
            if problem:
                errors.append((line, f"{email or '-'}: {problem}"))
                continue
            if email in seen:
                errors.append(
                    (
                        line,
                        _("%(email)s is also on line %(line)d.")
                        % {"email": email, "line": seen[email]},
                    )
                )
                continue
            seen[email] = line
            try:
                consent = record.get(columns.consent) or ""
                requested = record.get(columns.requested) or "" if columns.requested else ""
                consent_at = _moment(consent, now=now) if consent.strip() else None
                requested_at = _moment(requested, now=now) if requested.strip() else None
            except ValueError as error:
                errors.append((line, f"{email}: {error}"))
                continue
            source = (record.get(columns.source) or "").strip() if columns.source else ""
            unsubscribed = columns.unsubscribed and (record.get(columns.unsubscribed) or "")
            rows.append(
                ImportRow(
                    line=line,
                    email=email,
                    consent_at=consent_at,
                    requested_at=requested_at or consent_at,
                    source=(source or default_source)[:SOURCE_MAX],
                    unsubscribed=bool(unsubscribed and unsubscribed.strip()),
                )
            )
    except csv.Error as error:
        errors.append((reader.line_num, _("Not readable as CSV: %s") % error))
    return rows, errors


def subscribers_import(
    *, newsletter: Newsletter, data: bytes, default_source: str, now: datetime
) -> ImportReport:
    """Import a CSV file into this newsletter, all or nothing (see the glossary above)."""
    from .tasks import send_confirmation_email

    rows, errors = rows_read(data, default_source=default_source, now=now)
    report = ImportReport(errors=errors)
    if errors:
        return report
    language = newsletter.locale.language_code
    to_confirm: list[int] = []
    with transaction.atomic():
        for row in rows:
            if row.unsubscribed:
                report.kept_out += 1
                continue
            subscriber, _created = Subscriber.objects.get_or_create(
                email=row.email, defaults={"language": language}
            )
            if subscriber.is_suppressed:
                report.kept_out += 1
                continue
            subscription = (
                Subscription.objects.select_for_update()
                .filter(subscriber=subscriber, newsletter=newsletter)
                .first()
            )
            if subscription is not None and subscription.status != SubscriptionStatus.PENDING:
                if subscription.status == SubscriptionStatus.UNSUBSCRIBED:
                    report.kept_out += 1
                else:
                    report.unchanged += 1
                continue
            subscription = subscription or Subscription(
                subscriber=subscriber, newsletter=newsletter
            )
            subscription.source = row.source
            subscription.requested_at = row.requested_at or now
            if row.consent_at is not None:
                subscription.status = SubscriptionStatus.CONFIRMED
                subscription.confirmed_at = row.consent_at
                report.confirmed += 1
            else:
                subscription.status = SubscriptionStatus.PENDING
                to_confirm.append(subscriber.pk)
                report.pending += 1
            subscription.save()
        for subscriber_id in to_confirm:
            transaction.on_commit(
                partial(send_confirmation_email.enqueue, subscriber_id=subscriber_id)
            )
    return report


def _cell(value: str) -> str:
    """A spreadsheet must not run a cell as a formula (CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _when(moment: datetime | None, *, style: str) -> str:
    if moment is None:
        return ""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S") if style == "mailchimp" else moment.isoformat()


def subscribers_export(*, newsletter: Newsletter, out: SupportsWrite[str], style: str) -> int:
    """Write this newsletter's subscriptions as CSV; Mailchimp's style lists the confirmed
    ones only (what its import calls subscribed). The number of rows written."""
    subscriptions = (
        Subscription.objects.filter(newsletter=newsletter)
        .select_related("subscriber")
        .order_by("subscriber__email")
    )
    writer = csv.writer(out, lineterminator="\n")
    written = 0
    if style == "mailchimp":
        writer.writerow(["Email Address", "OPTIN_TIME", "CONFIRM_TIME"])
        subscriptions = subscriptions.filter(
            status=SubscriptionStatus.CONFIRMED, subscriber__suppressed_at__isnull=True
        )
        for s in subscriptions.iterator(chunk_size=2000):
            writer.writerow(
                [
                    _cell(s.subscriber.email),
                    _when(s.requested_at, style=style),
                    _when(s.confirmed_at, style=style),
                ]
            )
            written += 1
        return written
    writer.writerow(EXPORT_HEADER)
    for s in subscriptions.iterator(chunk_size=2000):
        writer.writerow(
            [
                _cell(s.subscriber.email),
                s.status,
                _when(s.confirmed_at, style=style),
                _when(s.requested_at, style=style),
                _cell(s.source),
                _when(s.unsubscribed_at, style=style),
            ]
        )
        written += 1
    return written
