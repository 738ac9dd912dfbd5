"""Signing out frees the slot at once; the ways out of a sharing flag end it."""

from __future__ import annotations

from allauth.account import signals as allauth_signals
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from broadsheet.accounts.models import Device

from . import services


@receiver(post_delete, sender=Device, dispatch_uid="access-device-gone")
def _device_gone(sender, instance: Device, **kwargs) -> None:
    """A device signed out, here or from elsewhere (its session is gone with it)."""
    user = instance.user
    now = timezone.now()
    services.slot_release_for_device(user=user, device_key=str(instance.pk), now=now)
    # Signing the other devices out is one of the ways out of a sharing flag.
    if Device.objects.filter(user=user).count() <= 1:
        services.sharing_flag_end_for_user(user=user, reason="devices_signed_out", now=now)


@receiver(allauth_signals.password_changed, dispatch_uid="access-password-changed")
@receiver(allauth_signals.password_reset, dispatch_uid="access-password-reset")
def _password_changed(sender, request, user, **kwargs) -> None:
    services.sharing_flag_end_for_user(user=user, reason="password_changed", now=timezone.now())
