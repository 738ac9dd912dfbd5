from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SlotLease(models.Model):
    """The reading slot of a seat, in the database store (Redis holds it otherwise)."""

    seat = models.OneToOneField(
        "subscriptions.Seat", on_delete=models.CASCADE, related_name="slot_lease"
    )
    device = models.CharField(max_length=64, blank=True)
    fence = models.BigIntegerField(default=0)
    seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"slot of seat #{self.seat_id}"


class MeterEntry(models.Model):
    """An article counted on a reader's meter, in the database store."""

    # "r<reader id>" for an anonymous reader's cookie, "u<user id>" for an account.
    meter = models.CharField(max_length=80)
    article_id = models.BigIntegerField()
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meter", "article_id"], name="access_meter_once")
        ]
        indexes = [models.Index(fields=["meter", "counted_at"], name="access_meter_recent")]

    def __str__(self) -> str:
        return f"{self.meter}: article {self.article_id}"


class Takeover(models.Model):
    """A device took a seat's slot from another one ("Read here")."""

    seat = models.ForeignKey(
        "subscriptions.Seat", on_delete=models.CASCADE, related_name="takeovers"
    )
    from_device = models.CharField(_("from device"), max_length=64)
    to_device = models.CharField(_("to device"), max_length=64)
    # Device names as they were, kept when the devices are gone.
    from_label = models.CharField(_("from"), max_length=80, blank=True)
    to_label = models.CharField(_("to"), max_length=80, blank=True)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("takeover")
        verbose_name_plural = _("takeovers")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["seat", "at"], name="access_takeover_recent")]

    def __str__(self) -> str:
        return f"seat #{self.seat_id}: {self.from_device} -> {self.to_device} at {self.at}"


class SharingFlag(models.Model):
    """A seat whose slot changed hands too often: shared. One row per episode."""

    seat = models.ForeignKey(
        "subscriptions.Seat", on_delete=models.CASCADE, related_name="sharing_flags"
    )
    plan_kind = models.CharField(_("plan when flagged"), max_length=16)
    flagged_at = models.DateTimeField(_("flagged"))
    last_takeover_at = models.DateTimeField(_("last takeover"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=24, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sharing flag")
        verbose_name_plural = _("sharing flags")
        ordering = ["-flagged_at", "-pk"]
        permissions = [
            ("manage_sharing", _("Can see shared seats and takeovers, and clear sharing flags"))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["seat"],
                condition=models.Q(ended_at__isnull=True),
                name="access_one_open_flag_per_seat",
            )
        ]

    def __str__(self) -> str:
        return f"seat #{self.seat_id} flagged {self.flagged_at}"


class CountKind(models.TextChoices):
    NOTICE = "notice", _("Device notices shown")
    TAKEOVER = "takeover", _("Takeovers")
    FLAGGED = "flagged", _("Seats flagged as shared")
    CONVERTED = "converted", _("Flagged seats upgraded")
    REGISTRATION_WALL = "registration_wall", _("Registration walls shown")
    PAYWALL = "paywall", _("Paywalls shown")
    FAILED_OPEN = "failed_open", _("Read while the store was down")
    FAILED_CLOSED = "failed_closed", _("Meter unavailable")


class DailyCount(models.Model):
    """Counts for the staff view, per day."""

    day = models.DateField()
    kind = models.CharField(max_length=24, choices=CountKind.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "kind"], name="access_one_count_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}: {self.count}"
