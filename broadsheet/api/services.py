"""Writes of the API: signing an app in (a device with a token) and out."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest

from broadsheet.accounts.client_ip import client_ip
from broadsheet.accounts.models import ActorKind, Device
from broadsheet.accounts.services import audit_record, device_sign_out
from broadsheet.accounts.useragents import browser_and_platform

from .models import AppToken

APP_NAME = "Broadsheet app"
# The platforms an app may say it runs on; anything else is told from its User-Agent.
APP_PLATFORMS = {"iphone": "iPhone", "ipad": "iPad", "android": "Android"}
# Device.session_key is unique and names the browser's session; an app device has no session,
# so it gets a key of its own that no session store will ever hand out (they are [a-z0-9]).
APP_SESSION_KEY_PREFIX = "app-"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    token: str
    device: Device


def app_sign_in(
    *, request: HttpRequest, email: str, password: str, platform: str, now: datetime
) -> SignedIn | None:
    """Sign a reader in from an app, through the gate every sign-in of the site passes
    (accounts.backends.SignInGateBackend: allauth's limits, email verification). None: refused,
    for whatever reason (the answer must not tell which)."""
    user = authenticate(request, username=email, password=password)
    if user is None:
        return None
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:400]
    platform_name = APP_PLATFORMS.get(platform.lower()) or browser_and_platform(user_agent)[1]
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = Device.objects.create(
            user=user,
            session_key=APP_SESSION_KEY_PREFIX + secrets.token_hex(16),
            browser=APP_NAME,
            platform=platform_name,
            user_agent=user_agent,
            ip_address=client_ip(request) or None,
            first_seen_at=now,
            last_seen_at=now,
        )
        AppToken.objects.create(device=device, key_hash=token_hash(token), created_at=now)
        audit_record(
            action="device.signed_in",
            subject=user,
            actor=user,
            actor_kind=ActorKind.READER,
            target=f"device:{device.pk}",
            data={"device": device.name, "app": True},
            now=now,
        )
    return SignedIn(token=token, device=device)


def app_sign_out(*, device: Device, now: datetime) -> bool:
    """The app signs itself out: its device goes (and its slot, and its token)."""
    return device_sign_out(user=device.user, device_id=device.pk, actor=device.user, now=now)
