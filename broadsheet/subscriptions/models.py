from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel

from broadsheet.newsroom.models import EditionPage


class PlanKind(models.TextChoices):
    DIGITAL = "digital", _("Digital")
    PREMIUM = "premium", _("Premium")
    BUSINESS = "business", _("Business")


class Interval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Plan(ClusterableModel):
    """What a reader can buy in one edition (its locale), in the edition's currency."""

    locale = models.ForeignKey(
        "wagtailcore.Locale", verbose_name=_("edition"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices)
    name = models.CharField(_("name"), max_length=80)
    summary = models.TextField(_("summary"), blank=True)
    terms_url = models.URLField(_("terms and conditions"), blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("locale"),
        FieldPanel("kind"),
        FieldPanel("name"),
        FieldPanel("summary"),
        FieldPanel("terms_url"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
        InlinePanel("prices", label=_("Prices"), min_num=1, max_num=2),
    ]

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["locale", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["locale", "kind"],
                condition=models.Q(is_active=True),
                name="subscriptions_one_active_plan_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.locale.language_code})"


class Price(models.Model):
    plan = ParentalKey(Plan, on_delete=models.CASCADE, related_name="prices")
    interval = models.CharField(_("interval"), max_length=8, choices=Interval.choices)
    amount_minor = models.PositiveIntegerField(
        _("amount (minor units)"),
        help_text=_("In cents (or the currency's minor unit); per seat for Business plans."),
    )
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217, e.g. USD."))
    stripe_price_id = models.CharField(_("Stripe price id"), max_length=100, blank=True)

    panels = [
        FieldPanel("interval"),
        FieldPanel("amount_minor"),
        FieldPanel("currency"),
        FieldPanel("stripe_price_id"),
    ]

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["plan", "interval"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "interval"], name="subscriptions_one_price_per_interval"
            ),
            models.UniqueConstraint(
                fields=["stripe_price_id"],
                condition=~models.Q(stripe_price_id=""),
                name="subscriptions_unique_stripe_price",
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"),
                name="subscriptions_price_currency_iso",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} {self.get_interval_display()}"

    def clean(self) -> None:
        super().clean()
        self.currency = (self.currency or "").upper()
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValidationError({"currency": _("Use a three-letter ISO 4217 code.")})
        if self.plan_id and self.plan.locale_id:
            edition = EditionPage.objects.filter(locale_id=self.plan.locale_id, depth=2).first()
            if edition and edition.currency.upper() != self.currency:
                raise ValidationError(
                    {
                        "currency": _("This edition sells in %(currency)s.")
                        % {"currency": edition.currency.upper()}
                    }
                )


class Organisation(models.Model):
    """The buyer of a Business plan; its admins manage the people in its seats."""

    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(_("created"))
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="OrganisationAdmin",
        related_name="administered_organisations",
        verbose_name=_("admins"),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class OrganisationAdmin(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    added_at = models.DateTimeField(_("added"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="subscriptions_one_admin_row"
            )
        ]

    def __str__(self) -> str:
        return f"admin of organisation #{self.organisation_id}"


class Status(models.TextChoices):
    INCOMPLETE = "incomplete", _("Waiting for payment")
    TRIALING = "trialing", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Payment overdue")
    CANCELED = "canceled", _("Canceled (runs to the end of the period)")
    ENDED = "ended", _("Ended")


class Source(models.TextChoices):
    STRIPE = "stripe", _("Stripe")
    COMP = "comp", _("Complimentary")


class Subscription(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT)
    price = models.ForeignKey(
        Price, verbose_name=_("price"), null=True, blank=True, on_delete=models.PROTECT
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_subscriptions",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    quantity = models.PositiveIntegerField(_("seats bought"), default=1)
    amount_minor = models.PositiveIntegerField(_("amount per interval (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3)
    interval = models.CharField(_("interval"), max_length=8, choices=Interval.choices, blank=True)
    started_at = models.DateTimeField(_("started"))
    current_period_end = models.DateTimeField(_("paid until"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("ends at the end of the period"), default=False)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    past_due_since = models.DateTimeField(_("payment overdue since"), null=True, blank=True)
    stripe_subscription_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    stripe_customer_id = models.CharField(max_length=100, blank=True)
    stripe_item_id = models.CharField(max_length=100, blank=True)
    # The Stripe time of the newest state applied: an older event never overwrites it.
    stripe_state_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="subscriptions_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"),
                name="subscriptions_subscription_currency_iso",
            ),
            models.CheckConstraint(
                condition=~models.Q(source="comp") | models.Q(ends_at__isnull=False),
                name="subscriptions_comp_has_end",
            ),
            models.CheckConstraint(
                condition=~models.Q(source="stripe")
                | models.Q(stripe_subscription_id__isnull=False),
                name="subscriptions_stripe_has_id",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ended") | models.Q(ended_at__isnull=False),
                name="subscriptions_ended_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_at"], name="subscriptions_status_end")]

    def __str__(self) -> str:
        return f"{self.plan.name} #{self.pk} ({self.get_status_display()})"


class SeatRole(models.TextChoices):
    HOLDER = "holder", _("Holder")
    MEMBER = "member", _("Member")


class Seat(models.Model):
    """One person entitled by a subscription."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seats"
    )
    role = models.CharField(_("role"), max_length=8, choices=SeatRole.choices)
    created_at = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "user"], name="subscriptions_one_seat_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"seat #{self.pk} of subscription #{self.subscription_id}"


class Invitation(models.Model):
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=10)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitations",
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "subscription",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="subscriptions_one_open_invitation_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="subscriptions_invitation_accepted_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation #{self.pk} to subscription #{self.subscription_id}"


class BillingCustomer(models.Model):
    """A reader's customer record at Stripe."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_customer"
    )
    stripe_customer_id = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.stripe_customer_id


class EventOutcome(models.TextChoices):
    PENDING = "pending", _("Not applied yet")
    APPLIED = "applied", _("Applied")
    STALE = "stale", _("Older than what we have")
    IGNORED = "ignored", _("Not an event we act on")
    UNMATCHED = "unmatched", _("Not for any subscription we know")
    FAILED = "failed", _("Failed; will be retried")


class BillingEvent(models.Model):
    """One Stripe event, stored once by its id."""

    stripe_event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=80)
    stripe_created_at = models.DateTimeField()
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=EventOutcome.choices, default=EventOutcome.PENDING
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    stripe_object_id = models.CharField(max_length=100, blank=True, db_index=True)
    subscription = models.ForeignKey(
        Subscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="billing_events",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="billing_events",
    )

    class Meta:
        verbose_name = _("billing event")
        verbose_name_plural = _("billing events")
        ordering = ["-stripe_created_at", "-pk"]
        indexes = [models.Index(fields=["outcome", "received_at"], name="subscriptions_event_todo")]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_event_id}"
