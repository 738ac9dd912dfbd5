"""Reads of the API: the token's device, and the cursors of article listings."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q, QuerySet

from broadsheet.accounts.models import Device

from .models import AppToken
from .services import token_hash


def device_for_token(*, token: str) -> Device | None:
    """The app device this token belongs to, with its user; None if unknown or signed out."""
    found = (
        AppToken.objects.filter(key_hash=token_hash(token)).select_related("device__user").first()
    )
    if found is None or not found.device.user.is_active:
        return None
    return found.device


class CursorError(ValueError):
    """A cursor this API did not hand out (or one it no longer understands)."""


@dataclass(frozen=True)
class Cursor:
    """Where a page of a listing starts: after this article in (first published, id) order,
    newest first. A keyset, so that page 5,000 costs what page 1 costs."""

    published_at: datetime
    article_id: int

    def encode(self) -> str:
        raw = f"{self.published_at.isoformat()}|{self.article_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        if len(value) > 200:
            raise CursorError("too long")
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            stamp, article_id = raw.split("|")
            published_at = datetime.fromisoformat(stamp)
            number = int(article_id)
        except (binascii.Error, UnicodeDecodeError, ValueError) as error:
            raise CursorError(str(error)) from error
        if published_at.tzinfo is None or not 0 < number < 2**63:
            raise CursorError("not one of ours")
        return cls(published_at=published_at.astimezone(UTC), article_id=number)


def keyset_page(
    listing: QuerySet, *, after: Cursor | None, size: int
) -> tuple[list, Cursor | None]:
    """One page of a listing ordered newest first, and the cursor of the next (None at the
    end). The listing's index (locale, first published, id: migrations/0002) serves it."""
    listing = listing.filter(first_published_at__isnull=False)
    if after is not None:
        listing = listing.filter(
            Q(first_published_at__lt=after.published_at)
            | Q(first_published_at=after.published_at, pk__lt=after.article_id)
        )
    rows = list(listing.order_by("-first_published_at", "-pk")[: size + 1])
    if len(rows) <= size:
        return rows, None
    last = rows[size - 1]
    return rows[:size], Cursor(published_at=last.first_published_at, article_id=last.pk)
