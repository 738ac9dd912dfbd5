"""The newsletter rules that need no database: addresses, digest composition, schedules.

Plain functions of plain values, tested exhaustively (tests/test_rules.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

MAX_EMAIL_LENGTH = 254

# Slugs a newsletter cannot take: the fixed pages under /newsletters/ (urls.py) and the
# webhooks path.
RESERVED_SLUGS = frozenset({"signup", "confirm", "preferences", "unsubscribe", "webhooks"})

# Throwaway-inbox services: an address there is a bot or someone who will never read us.
# Operators add more with NEWSLETTERS_EXTRA_DISPOSABLE_DOMAINS.
DISPOSABLE_DOMAINS = frozenset(
    {
        "10minutemail.com",
        "dispostable.com",
        "fakeinbox.com",
        "getnada.com",
        "guerrillamail.com",
        "guerrillamail.net",
        "mailinator.com",
        "maildrop.cc",
        "mintemail.com",
        "sharklasers.com",
        "spam4.me",
        "temp-mail.org",
        "tempmail.com",
        "throwawaymail.com",
        "trashmail.com",
        "yopmail.com",
    }
)
# Top-level domains that can never receive mail (RFC 2606, RFC 6761).
UNDELIVERABLE_TLDS = frozenset({"invalid", "localhost", "local"})

_validate_email = EmailValidator()


def email_normalise(raw: str) -> str:
    """The form we store and compare: trimmed and lower case (mailboxes are case-blind in
    practice, and one person must not be two subscribers)."""
    return raw.strip().lower()


def email_problem(email: str, *, extra_disposable: Iterable[str] = ()) -> str | None:
    """Why this (normalised) address cannot sign up, in words for the reader; None if it can."""
    if not email:
        return _("Enter your email address.")
    if len(email) > MAX_EMAIL_LENGTH:
        return _("That email address is too long.")
    try:
        _validate_email(email)
    except ValidationError:
        return _("Enter a valid email address, like name@example.com.")
    domain = email.rpartition("@")[2]
    if "." not in domain:
        return _("Enter a valid email address, like name@example.com.")
    if domain.rsplit(".", 1)[1] in UNDELIVERABLE_TLDS:
        return _("That address cannot receive email. Use the address you read your mail at.")
    disposable = DISPOSABLE_DOMAINS | {d.lower() for d in extra_disposable}
    if domain in disposable or any(domain.endswith("." + d) for d in disposable):
        return _(
            "Disposable inboxes expire before our newsletter arrives. "
            "Use the address you read your mail at."
        )
    return None


def digest_choose(
    *, most_read: Sequence[int], picks: Sequence[int], limit: int
) -> list[tuple[int, str]]:
    """Which articles a digest carries, in order, with where each came from.

    The week's most read come first, then the editors' picks that are not already in. Picks are
    guaranteed up to half the places (rounded up); places one list cannot fill go to the other.
    """
    if limit <= 0:
        return []
    unique_picks = list(dict.fromkeys(picks))
    pick_set = set(unique_picks)
    unique_most = [a for a in dict.fromkeys(most_read) if a not in pick_set]
    pick_places = min(len(unique_picks), (limit + 1) // 2)
    most_places = min(len(unique_most), limit - pick_places)
    pick_places = min(len(unique_picks), limit - most_places)
    return [(a, "most_read") for a in unique_most[:most_places]] + [
        (a, "pick") for a in unique_picks[:pick_places]
    ]


def next_slot(*, weekday: int | None, at: time, after: datetime) -> datetime:
    """The first send time strictly after `after` (aware, UTC): on `weekday` (Monday is 0) at
    `at`, or every day when weekday is None."""
    candidate = after.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= after:
        candidate += timedelta(days=1)
    if weekday is not None:
        candidate += timedelta(days=(weekday - candidate.weekday()) % 7)
    return candidate


def slot_period(*, slot: datetime, weekday: int | None) -> tuple[datetime, datetime]:
    """What an issue sent at `slot` covers: the week (or the day) before it."""
    return slot - timedelta(days=7 if weekday is not None else 1), slot


def retry_delay(*, attempts: int, base_seconds: int) -> timedelta:
    """How long to wait before trying a deferred (4xx) message again: doubling each time."""
    return timedelta(seconds=base_seconds * (2 ** max(0, attempts - 1)))
