from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from broadsheet.accounts.models import Device


class AppToken(models.Model):
    """The token of one app device. Deleting the device (signing it out, from the app, the
    devices page or a password change) deletes the token with it."""

    device = models.OneToOneField(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="app_token"
    )
    # SHA-256 of the token, hex: a token is 32 random bytes, so a fast hash is enough (a
    # leaked table gives nothing to guess from), and it can be looked up by equality.
    key_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("app token")
        verbose_name_plural = _("app tokens")

    def __str__(self) -> str:
        return f"app token of device {self.device_id}"
