"""Cached entitlements: who to forget once a change commits."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

from .. import selectors
from ..models import Subscription

logger = logging.getLogger(__name__)


def entitlements_drop(*, user_ids) -> None:
    """Forget the cached entitlement of these readers once the transaction commits."""
    keys = [selectors.entitlement_cache_key(pk) for pk in sorted({u for u in user_ids if u})]
    if keys:
        transaction.on_commit(lambda: _cache_delete(keys))


def _cache_delete(keys: list[str]) -> None:
    try:
        cache.delete_many(keys)
    except Exception:  # logged; cached answers expire on their own
        logger.exception("could not drop %d cached entitlements", len(keys))


def subscription_people(subscription: Subscription) -> set[int]:
    people = set(subscription.seats.values_list("user_id", flat=True))
    if subscription.holder_id:
        people.add(subscription.holder_id)
    return people
