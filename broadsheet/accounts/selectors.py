"""Reads of reader accounts: devices, the audit log, finding readers, the data export."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from . import hooks
from .models import AuditEntry, Device

User = get_user_model()


def device_list(*, user) -> list[Device]:
    return list(Device.objects.filter(user=user).order_by("-last_seen_at", "-pk"))


def audit_list(*, user, targets: Sequence[str] = (), limit: int = 200) -> list[AuditEntry]:
    """What happened to this reader, and to these targets of theirs ("subscription:12")."""
    condition = Q(subject=user)
    if targets:
        condition |= Q(target__in=list(targets))
    return list(
        AuditEntry.objects.filter(condition)
        .select_related("actor", "subject")
        .order_by("-created_at", "-pk")[:limit]
    )


def audit_list_for_target(*, target: str, limit: int = 200) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(target=target).select_related("actor", "subject")[:limit])


def user_by_email(*, email: str):
    """The account with this email, whatever its case, or None."""
    email = email.strip()
    if not email:
        return None
    return User.objects.filter(email__iexact=email).first()


def user_search(*, query: str, limit: int = 50) -> QuerySet:
    query = query.strip()
    users = User.objects.order_by("email", "pk")
    if not query:
        return users.none()
    if "@" in query:
        return users.filter(email__iexact=query)[:limit]
    return users.filter(email__icontains=query)[:limit]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def user_export(*, user) -> dict:
    """Everything we hold about this reader, as JSON-able data."""
    from allauth.account.models import EmailAddress

    data = {
        "account": {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "devices": [
            {
                "name": device.name,
                "user_agent": device.user_agent,
                "ip_address": device.ip_address,
                "first_seen_at": _when(device.first_seen_at),
                "last_seen_at": _when(device.last_seen_at),
            }
            for device in device_list(user=user)
        ],
        "activity": [
            {
                "when": _when(entry.created_at),
                "action": entry.action,
                "by": entry.actor_kind,
                "details": entry.data,
            }
            for entry in AuditEntry.objects.filter(subject=user).order_by("created_at", "pk")
        ],
    }
    for name, section in sorted(hooks.export_sections().items()):
        data[name] = section(user)
    return data
