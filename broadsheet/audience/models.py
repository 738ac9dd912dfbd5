"""History of what readers did with each article, kept in the database.

With the database store these tables are the live counters too; with Redis the tick copies the
live counters here (absolute values, so copying twice changes nothing).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .hits import Source


class ArticleHourlyCount(models.Model):
    """What happened to one article in one clock hour (UTC)."""

    # The article page's id, not a foreign key: the hot path writes no constraint checks,
    # deleting an article does not wait on its history, and the history outlives it until
    # pruned. Only ids of pages we served can arrive (the beacon is signed). No index of its
    # own: the unique (article, hour) constraint is one.
    article_id = models.PositiveIntegerField(_("article"))
    edition = models.CharField(_("edition"), max_length=16, help_text=_("Its language code."))
    hour = models.DateTimeField(_("hour"), help_text=_("The start of the hour, UTC."))
    views = models.PositiveIntegerField(_("views"), default=0)
    paywall_hits = models.PositiveIntegerField(_("paywall hits"), default=0)
    subscriptions = models.PositiveIntegerField(_("subscriptions"), default=0)

    class Meta:
        verbose_name = _("hourly article count")
        verbose_name_plural = _("hourly article counts")
        constraints = [
            models.UniqueConstraint(
                fields=["article_id", "hour"], name="audience_one_count_per_hour"
            )
        ]
        indexes = [models.Index(fields=["edition", "hour"], name="audience_hourly_edition")]
        permissions = [("view_audience", _("Can see the audience dashboard and export it"))]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.hour:%Y-%m-%d %H}:00: {self.views}"


class ArticleDailySource(models.Model):
    """How many views of one article came from one source on one day (UTC)."""

    article_id = models.PositiveIntegerField(_("article"))
    edition = models.CharField(_("edition"), max_length=16)
    day = models.DateField(_("day"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("daily article source")
        verbose_name_plural = _("daily article sources")
        constraints = [
            models.UniqueConstraint(
                fields=["article_id", "day", "source"], name="audience_one_source_per_day"
            )
        ]
        indexes = [models.Index(fields=["edition", "day"], name="audience_sources_edition")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day} {self.source}: {self.views}"


class ReaderMark(models.Model):
    """The database store's reload window: this reader counted for this article until then.

    Only the database store uses it (Redis keeps these as expiring keys); expired marks are
    reused in place and pruned by the tick.
    """

    mark = models.CharField(_("mark"), max_length=120, unique=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("reader mark")
        verbose_name_plural = _("reader marks")

    def __str__(self) -> str:
        return self.mark
