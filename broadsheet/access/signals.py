"""Signing out frees the slot at once; the ways out of a sharing flag end it."""

from __future__ import annotations

from allauth.account import signals as allauth_signals
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from wagtail.signals import page_published, page_unpublished

from broadsheet.accounts.models import Device
from broadsheet.newsroom.models import ArticlePage

from . import services
from .selectors import article_facts_cache_key


@receiver(page_published, sender=ArticlePage, dispatch_uid="access-article-published")
@receiver(page_unpublished, sender=ArticlePage, dispatch_uid="access-article-unpublished")
@receiver(post_delete, sender=ArticlePage, dispatch_uid="access-article-deleted")
def _article_changed(sender, instance, **kwargs) -> None:
    """A publish can change an article's access level, URL or body: the fragment asks again."""
    key = article_facts_cache_key(instance.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


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
