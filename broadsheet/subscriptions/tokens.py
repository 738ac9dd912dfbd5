"""Invitation links: the token is in the link only; we keep its hash."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(*, token: str, language: str) -> str:
    with translation.override(language):
        path = reverse("subscriptions:invitation", kwargs={"token": token})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
