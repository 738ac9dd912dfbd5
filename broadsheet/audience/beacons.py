"""The beacon's address: signed, so that only articles we served can be counted, each only in
its own edition, and nobody can fill a ranking with made-up ids."""

from __future__ import annotations

from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "broadsheet.audience.beacon"


def beacon_signature(*, edition: str, article_id: int) -> str:
    return salted_hmac(SALT, f"{edition}:{article_id}", algorithm="sha256").hexdigest()[:16]


def beacon_is_valid(*, edition: str, article_id: int, signature: str) -> bool:
    return constant_time_compare(
        beacon_signature(edition=edition, article_id=article_id), signature
    )


def beacon_path(*, edition: str, article_id: int) -> str:
    return reverse(
        "audience_site:view",
        kwargs={
            "edition": edition,
            "article_id": article_id,
            "signature": beacon_signature(edition=edition, article_id=article_id),
        },
    )
