"""Writes of reader accounts: devices, the audit log, email sending, account deletion.

Each function is one transaction; emails go out through a background task after it commits.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest

from . import hooks
from .client_ip import client_ip
from .models import ActorKind, AuditEntry, Device
from .sessions import DEVICE_ID, DEVICE_KEY, DEVICE_SEEN, session_delete
from .tasks import email_send
from .useragents import browser_and_platform

logger = logging.getLogger(__name__)

User = get_user_model()


class AccountDeletionRefusedError(Exception):
    """The account cannot be deleted yet; the message says why and what to do."""


def subject_label(user) -> str:
    return f"user #{user.pk}" if user is not None and user.pk else ""


def actor_kind_of(actor, *, staff: bool) -> str:
    """Who an audit entry says acted: nobody is the system; a person is staff or a reader."""
    if actor is None:
        return ActorKind.SYSTEM
    return ActorKind.STAFF if staff else ActorKind.READER


def audit_record(
    *,
    action: str,
    subject=None,
    actor=None,
    actor_kind: str = ActorKind.SYSTEM,
    target: str = "",
    data: dict | None = None,
    now: datetime,
) -> AuditEntry:
    """Write one audit entry, inside the caller's transaction."""
    return AuditEntry.objects.create(
        created_at=now,
        actor_kind=actor_kind,
        actor=actor if actor is not None and actor.pk else None,
        subject=subject,
        subject_label=subject_label(subject),
        action=action,
        target=target,
        data=data or {},
    )


def _remember_device(request: HttpRequest, device: Device, now: datetime) -> None:
    request.session[DEVICE_ID] = device.pk
    request.session[DEVICE_KEY] = device.session_key
    request.session[DEVICE_SEEN] = int(now.timestamp())


@transaction.atomic
def device_register(*, request: HttpRequest, user, now: datetime) -> Device:
    """The browser of this request signed in: record it (or keep its device if this session
    already had one of this user, e.g. signing in again after a password reset)."""
    if not request.session.session_key:
        request.session.save()
    session_key = request.session.session_key
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:400]
    browser, platform = browser_and_platform(user_agent)
    fields = {
        "session_key": session_key,
        "browser": browser,
        "platform": platform,
        "user_agent": user_agent,
        "ip_address": client_ip(request) or None,
        "last_seen_at": now,
    }
    # A session key belongs to one device: drop a stale row holding it (another reader's).
    stale = Device.objects.filter(session_key=session_key).exclude(user=user).select_related("user")
    for gone in stale.order_by("pk"):
        gone.delete()
        _sign_out_announce(user=gone.user, device_keys=[str(gone.pk)], now=now)
    device: Device | None = None
    if request.session.get(DEVICE_ID):
        device = Device.objects.filter(pk=request.session[DEVICE_ID], user=user).first()
    if device is None:
        device = Device.objects.filter(session_key=session_key, user=user).first()
    if device is None:
        device = Device.objects.create(user=user, first_seen_at=now, **fields)
        audit_record(
            action="device.signed_in",
            subject=user,
            actor=user,
            actor_kind=ActorKind.READER,
            target=f"device:{device.pk}",
            data={"device": device.name},
            now=now,
        )
    else:
        for name, value in fields.items():
            setattr(device, name, value)
        device.save(update_fields=list(fields))
    _remember_device(request, device, now)
    return device


def device_seen(*, request: HttpRequest, now: datetime) -> bool:
    """Note that this signed-in browser is in use. False when its device was signed out
    from elsewhere (the caller then signs the browser out)."""
    session = request.session
    device_id = session.get(DEVICE_ID)
    if device_id is None:
        device_register(request=request, user=request.user, now=now)
        return True
    key_changed = session.get(DEVICE_KEY) != session.session_key
    due = now.timestamp() - session.get(DEVICE_SEEN, 0) >= settings.ACCOUNTS_DEVICE_SEEN_EVERY
    if not key_changed and not due:
        return True
    user_id = request.user.pk
    assert user_id is not None  # only signed-in requests are seen
    updated = Device.objects.filter(pk=device_id, user_id=user_id).update(
        last_seen_at=now, session_key=session.session_key
    )
    if not updated:
        return False
    session[DEVICE_KEY] = session.session_key
    session[DEVICE_SEEN] = int(now.timestamp())
    return True


@transaction.atomic
def device_forget(*, request: HttpRequest, now: datetime) -> None:
    """The browser of this request signs out: its device goes."""
    device_id = request.session.get(DEVICE_ID)
    user = getattr(request, "user", None)
    if device_id is None or user is None or not user.is_authenticated:
        return
    deleted, _ = Device.objects.filter(pk=device_id, user=user).delete()
    if deleted:
        audit_record(
            action="device.signed_out",
            subject=user,
            actor=user,
            actor_kind=ActorKind.READER,
            target=f"device:{device_id}",
            now=now,
        )
        _sign_out_announce(user=user, device_keys=[str(device_id)], now=now)


def _sign_out_announce(
    *, user, device_keys: list[str], password_changed: bool = False, now: datetime
) -> None:
    """Tell the apps registered with hooks.after_sign_out, once, after this transaction
    commits (their steps reach Redis, which must not wait on our row locks)."""
    if not device_keys and not password_changed:
        return
    signed_out = hooks.SignOut(
        user=user,
        device_keys=tuple(device_keys),
        devices_left=Device.objects.filter(user=user).count(),
        password_changed=password_changed,
        now=now,
    )

    def run_steps() -> None:
        for step in hooks.after_sign_out_steps():
            step(signed_out)

    transaction.on_commit(run_steps)


def _end_devices(devices, *, user, actor, actor_kind: str, reason: str, now: datetime) -> list[str]:
    """Sign these devices out, inside the caller's transaction; the keys of those ended."""
    ended = []
    for device in devices.select_for_update().order_by("pk"):
        # The session goes first: even if the rest fails, that browser is signed out.
        session_delete(session_key=device.session_key)
        ended.append(str(device.pk))
        device.delete()
        audit_record(
            action="device.signed_out",
            subject=user,
            actor=actor,
            actor_kind=actor_kind,
            target=f"device:{device.pk}",
            data={"reason": reason},
            now=now,
        )
    return ended


@transaction.atomic
def device_sign_out(
    *, user, device_id: int, actor, actor_kind: str = ActorKind.READER, now: datetime
) -> bool:
    """Sign one of this user's devices out; its next request is anonymous."""
    devices = Device.objects.filter(pk=device_id, user=user)
    ended = _end_devices(
        devices, user=user, actor=actor, actor_kind=actor_kind, reason="signed_out", now=now
    )
    _sign_out_announce(user=user, device_keys=ended, now=now)
    return len(ended) == 1


@transaction.atomic
def device_sign_out_others(
    *,
    user,
    keep_session_key: str | None,
    actor,
    actor_kind: str = ActorKind.READER,
    reason: str = "signed_out_everywhere_else",
    now: datetime,
) -> int:
    """Sign out every device of this user except the one with this session key (None: all)."""
    ended = _devices_end_others(
        user=user,
        keep_session_key=keep_session_key,
        actor=actor,
        actor_kind=actor_kind,
        reason=reason,
        now=now,
    )
    _sign_out_announce(user=user, device_keys=ended, now=now)
    return len(ended)


def _devices_end_others(
    *, user, keep_session_key: str | None, actor, actor_kind: str, reason: str, now: datetime
) -> list[str]:
    devices = Device.objects.filter(user=user)
    if keep_session_key:
        devices = devices.exclude(session_key=keep_session_key)
    return _end_devices(
        devices, user=user, actor=actor, actor_kind=actor_kind, reason=reason, now=now
    )


@transaction.atomic
def password_changed(*, request: HttpRequest, user, reset: bool, now: datetime) -> int:
    """After a password change or reset: every other device is signed out; the current
    browser (signed in with a new session key) keeps its device."""
    current_key = None
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        if request.user.pk == user.pk and request.session.session_key:
            current_key = request.session.session_key
            device_id = request.session.get(DEVICE_ID)
            if device_id:
                Device.objects.filter(pk=device_id, user=user).update(session_key=current_key)
                request.session[DEVICE_KEY] = current_key
    ended = _devices_end_others(
        user=user,
        keep_session_key=current_key,
        actor=user,
        actor_kind=ActorKind.READER,
        reason="password_reset" if reset else "password_changed",
        now=now,
    )
    audit_record(
        action="password.reset" if reset else "password.changed",
        subject=user,
        actor=user,
        actor_kind=ActorKind.READER,
        data={"devices_signed_out": len(ended)},
        now=now,
    )
    # One announcement for the whole change: the devices it signed out and the password.
    _sign_out_announce(user=user, device_keys=ended, password_changed=True, now=now)
    return len(ended)


def email_message_enqueue(*, message: EmailMessage) -> None:
    """Send this (already rendered, in the reader's language) email from a background worker
    once the current transaction commits."""
    html = None
    if isinstance(message, EmailMultiAlternatives):
        html = next((body for body, kind in message.alternatives if kind == "text/html"), None)
    payload: dict[str, Any] = {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email or settings.DEFAULT_FROM_EMAIL,
        "to": [str(address) for address in message.to],
        "html": str(html) if html else None,
        "headers": {str(k): str(v) for k, v in (message.extra_headers or {}).items()},
    }
    transaction.on_commit(lambda: email_send.enqueue(**payload))


def user_deletion_refusal(*, user) -> str | None:
    """Why this account cannot be deleted now, if it cannot."""
    for check in hooks.deletion_checks():
        message = check(user)
        if message:
            return message
    return None


def user_delete(*, user, now: datetime) -> None:
    """Delete the reader's account and everything that is theirs; the audit log keeps only
    "user #id"."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        refusal = user_deletion_refusal(user=user)
        if refusal:
            raise AccountDeletionRefusedError(refusal)
        for step in hooks.before_deletion_steps():
            step(user, now)
        # No sign-out announcement: the seats (and the slots held under them) go with the
        # account, and nobody can read under a seat that no longer exists.
        for device in Device.objects.filter(user=user):
            session_delete(session_key=device.session_key)
        # What the log keeps of a deleted reader: the actions and when, not their details.
        AuditEntry.objects.filter(subject=user).update(data={})
        audit_record(
            action="account.deleted",
            subject=user,
            actor=user,
            actor_kind=ActorKind.READER,
            now=now,
        )
        user.delete()
    logger.info("account deleted")
