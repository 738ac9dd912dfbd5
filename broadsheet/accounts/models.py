from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A reader or a member of staff. Readers sign in with their email (allauth); the
    username is generated and only staff ever see it."""

    objects: ClassVar[UserManager] = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                condition=~models.Q(email=""),
                violation_error_message=_("A user with this email already exists."),
            )
        ]


class Device(models.Model):
    """One signed-in browser of a user: one live session."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    browser = models.CharField(_("browser"), max_length=40, blank=True)
    platform = models.CharField(_("system"), max_length=40, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["-last_seen_at", "-pk"]
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="accounts_device_user_seen")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_seen_at__gte=models.F("first_seen_at")),
                name="accounts_device_seen_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """A readable name, in the language of the page showing it."""
        browser = self.browser or gettext("Unknown browser")
        if not self.platform:
            return browser
        return gettext("%(browser)s on %(platform)s") % {
            "browser": browser,
            "platform": self.platform,
        }


class ActorKind(models.TextChoices):
    READER = "reader", _("Reader")
    STAFF = "staff", _("Staff")
    STRIPE = "stripe", _("Stripe")
    SYSTEM = "system", _("System")


class AuditEntry(models.Model):
    """Who did what to whose account, subscription or seat, and when. Never edited."""

    created_at = models.DateTimeField(_("when"), db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=8, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries_made",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    # Kept when the reader deletes their account: "user #123", never their email.
    subject_label = models.CharField(_("reader label"), max_length=40, blank=True)
    action = models.CharField(_("action"), max_length=48)
    # What was acted on, besides the reader: "subscription:12", "device:7", "invitation:3".
    target = models.CharField(_("target"), max_length=48, blank=True, db_index=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["subject", "-created_at"], name="accounts_audit_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.subject_label}"
