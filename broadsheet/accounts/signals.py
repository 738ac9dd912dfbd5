"""Glue between Django's and allauth's sign-in events and the account services."""

from __future__ import annotations

from allauth.account import signals as allauth_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from . import services
from .models import ActorKind
from .sessions import user_facts_forget


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts-user-facts-saved")
@receiver(post_delete, sender=get_user_model(), dispatch_uid="accounts-user-facts-deleted")
def _user_changed(sender, instance, **kwargs) -> None:
    # A password or is_active change must reach the holes, which check sessions against the
    # cached facts (accounts.sessions): now, and after commit for a reader who cached the old
    # ones in between.
    user_facts_forget(user_id=instance.pk)
    transaction.on_commit(lambda: user_facts_forget(user_id=instance.pk))


@receiver(auth_signals.user_logged_in, dispatch_uid="accounts-device-register")
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        services.device_register(request=request, user=user, now=timezone.now())


@receiver(auth_signals.user_logged_out, dispatch_uid="accounts-device-forget")
def _signed_out(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        services.device_forget(request=request, now=timezone.now())


@receiver(allauth_signals.password_changed, dispatch_uid="accounts-password-changed")
def _password_changed(sender, request, user, **kwargs) -> None:
    services.password_changed(request=request, user=user, reset=False, now=timezone.now())


@receiver(allauth_signals.password_reset, dispatch_uid="accounts-password-reset")
def _password_reset(sender, request, user, **kwargs) -> None:
    services.password_changed(request=request, user=user, reset=True, now=timezone.now())


@receiver(allauth_signals.email_changed, dispatch_uid="accounts-email-changed")
def _email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    services.audit_record(
        action="email.changed",
        subject=user,
        actor=user,
        actor_kind=ActorKind.READER,
        data={"from": from_email_address.email if from_email_address else ""},
        now=timezone.now(),
    )


@receiver(allauth_signals.user_signed_up, dispatch_uid="accounts-signed-up")
def _signed_up(sender, request, user, **kwargs) -> None:
    services.audit_record(
        action="account.created",
        subject=user,
        actor=user,
        actor_kind=ActorKind.READER,
        now=timezone.now(),
    )
