from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from .rules import RESERVED_SLUGS


class NewsletterKind(models.TextChoices):
    WEEKLY_DIGEST = "weekly_digest", _("Weekly digest")
    BRIEFING = "briefing", _("Briefing")
    OTHER = "other", _("Other")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Newsletter(models.Model):
    """A list readers sign up to, in one edition; the weekly digest comes first."""

    locale = models.ForeignKey(
        "wagtailcore.Locale",
        verbose_name=_("edition"),
        on_delete=models.PROTECT,
        related_name="newsletters",
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=True)
    description = models.TextField(_("description"), max_length=500, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=NewsletterKind.choices, default=NewsletterKind.OTHER
    )
    sender_name = models.CharField(_("sender name"), max_length=120, blank=True)
    sender_email = models.EmailField(
        _("sender email"), blank=True, help_text=_("Leave empty to use the site's address.")
    )
    send_weekday = models.PositiveSmallIntegerField(
        _("send on"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_("For a weekly digest: the day it goes out. Empty: every day."),
    )
    send_time = models.TimeField(_("send at (UTC)"), default=time(7, 0))
    auto_send = models.BooleanField(
        _("send automatically"),
        default=True,
        help_text=_(
            "The digest is composed a day ahead; when this is on it is scheduled at once "
            "(editors can still change or cancel it), otherwise it waits as a draft."
        ),
    )
    digest_size = models.PositiveSmallIntegerField(_("articles per issue"), default=8)
    is_active = models.BooleanField(_("open for signup"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("locale"),
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("kind"),
        FieldRowPanel([FieldPanel("sender_name"), FieldPanel("sender_email")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("send_weekday"), FieldPanel("send_time")]),
                FieldPanel("auto_send"),
                FieldPanel("digest_size"),
            ],
            heading=_("Schedule"),
        ),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["locale_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="newsletter_slug_per_edition"),
            models.CheckConstraint(
                condition=Q(digest_size__gte=1) & Q(digest_size__lte=30),
                name="newsletter_digest_size_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.locale.language_code})"

    def clean(self) -> None:
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This slug is taken by a page; choose another.")})

    @property
    def language_code(self) -> str:
        return self.locale.language_code

    @property
    def is_digest(self) -> bool:
        return self.kind == NewsletterKind.WEEKLY_DIGEST


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    COMPLAINT = "complaint", _("Spam complaint")
    MANUAL = "manual", _("Stopped by staff")


class Subscriber(models.Model):
    """An email address, whatever the edition; suppression applies to every newsletter."""

    email = models.EmailField(_("email"), max_length=254, unique=True)
    language = models.CharField(
        _("language"),
        max_length=15,
        help_text=_("The edition language of the emails about the subscription itself."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_subscribers",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    suppressed_at = models.DateTimeField(_("suppressed"), null=True, blank=True)
    suppression_reason = models.CharField(
        _("suppression reason"), max_length=16, choices=SuppressionReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.CheckConstraint(
                condition=Q(email=models.functions.Lower("email")), name="subscriber_email_lower"
            ),
            models.CheckConstraint(
                condition=Q(suppressed_at__isnull=True, suppression_reason="")
                | Q(suppressed_at__isnull=False) & ~Q(suppression_reason=""),
                name="subscriber_suppression_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_suppressed(self) -> bool:
        return self.suppressed_at is not None

    def clean(self) -> None:
        super().clean()
        if (self.suppressed_at is None) != (not self.suppression_reason):
            raise ValidationError(
                _("A suppression needs both its time and its reason (or neither).")
            )


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Subscribed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


class Subscription(models.Model):
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.PENDING,
    )
    source = models.CharField(_("signed up from"), max_length=32, blank=True)
    requested_at = models.DateTimeField(_("requested"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    unsubscribed_issue = models.ForeignKey(
        "newsletters.Issue",
        verbose_name=_("unsubscribed from issue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unsubscriptions",
    )

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"], name="one_subscription_per_newsletter"
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="subscription_confirmed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["newsletter", "status"], name="subscription_list_idx")]

    def __str__(self) -> str:
        return f"{self.subscriber_id} → {self.newsletter_id}: {self.status}"


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Issue(ClusterableModel):
    """One issue of a newsletter; frozen (rendered once) when its send starts."""

    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("newsletter"), on_delete=models.CASCADE, related_name="issues"
    )
    subject = models.CharField(_("subject"), max_length=200)
    intro = models.TextField(_("introduction"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=IssueStatus.choices, default=IssueStatus.DRAFT
    )
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    period_start = models.DateTimeField(_("covers from"), null=True, blank=True)
    period_end = models.DateTimeField(_("covers until"), null=True, blank=True)
    composed_automatically = models.BooleanField(_("composed automatically"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    send_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    snapshot_at = models.DateTimeField(_("recipients taken"), null=True, blank=True)
    send_started_at = models.DateTimeField(_("send started"), null=True, blank=True)
    send_finished_at = models.DateTimeField(_("send finished"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    rendered_subject = models.CharField(max_length=200, blank=True, editable=False)
    rendered_html = models.TextField(blank=True, editable=False)
    rendered_text = models.TextField(blank=True, editable=False)

    panels = [
        FieldPanel("newsletter"),
        FieldPanel("subject"),
        FieldPanel("intro"),
        InlinePanel("items", label=_("Articles"), min_num=1, max_num=30),
    ]

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The automatic composer makes one issue per newsletter and slot, even if two
            # ticks run at once.
            models.UniqueConstraint(
                fields=["newsletter", "period_end"],
                condition=Q(composed_automatically=True),
                name="one_automatic_issue_per_slot",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(scheduled_for__isnull=False),
                name="issue_scheduled_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "scheduled_for"], name="issue_due_idx")]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_editable(self) -> bool:
        return self.status in (IssueStatus.DRAFT, IssueStatus.SCHEDULED)


class ItemSource(models.TextChoices):
    MOST_READ = "most_read", _("Most read")
    LATEST = "latest", _("Latest")
    PICK = "pick", _("Editors' pick")
    EDITOR = "editor", _("Added by an editor")


class IssueItem(Orderable):
    issue = ParentalKey(Issue, related_name="items", on_delete=models.CASCADE)
    article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    source = models.CharField(
        _("source"), max_length=16, choices=ItemSource.choices, default=ItemSource.EDITOR
    )
    blurb = models.TextField(
        _("blurb"), max_length=600, blank=True, help_text=_("Empty: the article's standfirst.")
    )

    panels = [FieldPanel("article"), FieldPanel("blurb")]

    class Meta(Orderable.Meta):
        verbose_name = _("article in an issue")
        constraints = [
            models.UniqueConstraint(fields=["issue", "article"], name="article_once_per_issue")
        ]


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    DONE = "done", _("Done")


class Batch(models.Model):
    """A slice of an issue's deliveries, claimed by one worker at a time under a lease."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    claim_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # A pending batch with deferred (4xx) messages waits until then before it is claimed again.
    not_before = models.DateTimeField(null=True, blank=True)
    claims = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("send batch")
        verbose_name_plural = _("send batches")
        constraints = [
            models.UniqueConstraint(fields=["issue", "number"], name="batch_number_per_issue"),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_expires_at__isnull=False),
                name="batch_sending_has_lease",
            ),
        ]
        indexes = [models.Index(fields=["issue", "status"], name="batch_claim_idx")]

    def __str__(self) -> str:
        return f"issue {self.issue_id} batch {self.number}: {self.status}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    HANDED_OVER = "handed_over", _("Handed to the mail server")
    SENT = "sent", _("Sent")
    UNCONFIRMED = "unconfirmed", _("Handed over, outcome unknown")
    DEFERRED = "deferred", _("Deferred, will retry")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (suppressed)")


class Delivery(models.Model):
    """One recipient of one issue, taken when the send started; its outcome once known."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField(_("address"), max_length=254)
    # The Message-ID every attempt of this message carries (tokens.message_id_make), kept so
    # that staff and the complaint handling can name the message.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    smtp_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    # Staff sent an unconfirmed message once more; it is never resent a second time.
    resent_at = models.DateTimeField(_("resent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="one_delivery_per_recipient_per_issue"
            )
        ]
        indexes = [
            models.Index(fields=["batch", "status"], name="delivery_batch_idx"),
            models.Index(fields=["issue", "status"], name="delivery_report_idx"),
        ]

    def __str__(self) -> str:
        return f"issue {self.issue_id} → {self.email}: {self.status}"
