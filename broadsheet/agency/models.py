from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


class Format(models.TextChoices):
    RSS = "rss", _("RSS 2.0")
    ATOM = "atom", _("Atom")
    NINJS = "ninjs", _("IPTC ninjs (1.x or 2.0)")


class Source(models.Model):
    """An agency or partner feed whose stories become drafts in one section."""

    name = models.CharField(_("name"), max_length=120)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    url = models.URLField(
        _("feed URL"),
        max_length=500,
        blank=True,
        help_text=_(
            "Polled when the source is active. Images are fetched only from this URL's host. "
            "Leave empty for a source you only import files from."
        ),
    )
    section = models.ForeignKey(
        "newsroom.SectionPage",
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Drafts are created in this section, and so in its edition."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    poll_minutes = models.PositiveIntegerField(
        _("poll every (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    default_author = models.ForeignKey(
        "newsroom.Author",
        verbose_name=_("default author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The byline of stories that carry none."),
    )
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("format"),
        FieldPanel("section"),
        FieldPanel("default_author"),
        MultiFieldPanel(
            [FieldPanel("url"), FieldPanel("is_active"), FieldPanel("poll_minutes")],
            heading=_("Polling"),
        ),
    ]

    class Meta:
        verbose_name = _("agency source")
        verbose_name_plural = _("agency sources")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(poll_minutes__gte=1), name="agency_source_poll_minutes_min"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.url and urlsplit(self.url).scheme not in ("http", "https"):
            raise ValidationError({"url": _("Use an http or https address.")})
        if self.is_active and not self.url:
            raise ValidationError({"url": _("An active source needs a URL to poll.")})

    @property
    def host(self) -> str:
        """The only host images (and the feed) are fetched from."""
        return (urlsplit(self.url).hostname or "").lower() if self.url else ""


class Story(models.Model):
    """An agency item we know: its identity within its source, what we last imported of it,
    and the draft page it became."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="stories")
    guid = models.CharField(_("agency identifier"), max_length=500)
    version = models.CharField(_("version"), max_length=64, blank=True)
    fingerprint = models.CharField(max_length=64)
    page = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("page"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The images already fetched for this story, by URL: an update does not fetch them again.
    images = models.JSONField(default=dict, blank=True)
    first_imported_at = models.DateTimeField()
    last_imported_at = models.DateTimeField()

    class Meta:
        verbose_name = _("agency story")
        verbose_name_plural = _("agency stories")
        constraints = [
            models.UniqueConstraint(fields=["source", "guid"], name="agency_story_once_per_source")
        ]

    def __str__(self) -> str:
        return self.guid


class Trigger(models.TextChoices):
    POLL = "poll", _("Poll")
    UPLOAD = "upload", _("Upload")
    COMMAND = "command", _("Command")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    OK = "ok", _("Imported")
    PARTIAL = "partial", _("Imported with errors")
    FAILED = "failed", _("Refused")


class ImportRun(models.Model):
    """One import of one document: the audit of what it did."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="runs"
    )
    trigger = models.CharField(_("trigger"), max_length=8, choices=Trigger.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    document = models.CharField(_("document"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["source", "-started_at"], name="agency_run_source_latest")]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"


class Outcome(models.TextChoices):
    CREATED = "created", _("Draft created")
    UPDATED = "updated", _("New draft revision")
    UNCHANGED = "unchanged", _("Unchanged")
    STALE = "stale", _("Older version, ignored")
    FAILED = "failed", _("Failed")


class RunItem(models.Model):
    """What one run did with one item: the draft it made or why it failed."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"))
    guid = models.CharField(_("agency identifier"), max_length=500, blank=True)
    headline = models.CharField(_("headline"), max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    message = models.TextField(_("message"), blank=True)
    page = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="agency_run_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.guid}"
