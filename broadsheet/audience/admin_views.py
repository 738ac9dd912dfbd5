"""The newsroom's audience screens in the Wagtail admin: an edition's most read now, in the
last 24 hours and 7 days; an article's views over time, where its readers came from and what
its paywall did; and every figure as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import charts, selectors, services
from .stores import StoreUnavailableError, get_store

VIEW_AUDIENCE = "audience.view_audience"
RANKING_SIZE = 10
EXPORT_RANKING_SIZE = 100
HOURLY_HOURS = 48
DAILY_DAYS = 90
MAX_EXPORT_DAYS = 400
# Cells a spreadsheet would run as a formula: written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _require_permission(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_AUDIENCE):
        raise PermissionDenied


class BadInputError(Exception):
    """A query parameter that is not one of ours: answered 400, saying which."""


def _bad_request(error: BadInputError) -> HttpResponse:
    return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")


def _edition_from(request: HttpRequest) -> str:
    codes = services.editions()
    edition = request.GET.get("edition", codes[0]).lower()
    if edition not in codes:
        raise BadInputError(_("There is no edition “%(code)s”.") % {"code": edition[:20]})
    return edition


def _window_from(request: HttpRequest) -> str:
    window = request.GET.get("window", "24h")
    if window not in selectors.WINDOWS:
        raise BadInputError(_("There is no window “%(window)s”.") % {"window": window[:20]})
    return window


def edition_names() -> dict[str, str]:
    return {e["language"].lower(): e["name"] for e in settings.BROADSHEET_EDITIONS}


class AudienceView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "view"

    def dispatch(self, request, *args, **kwargs):
        _require_permission(request)
        return super().dispatch(request, *args, **kwargs)


class DashboardView(AudienceView):
    """One edition's most read articles, now, over 24 hours and over 7 days."""

    template_name = "audience/admin/dashboard.html"
    page_title = gettext_lazy("Audience")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        try:
            self.edition = _edition_from(request)
        except BadInputError as error:
            return _bad_request(error)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        edition = self.edition
        now = timezone.now()
        store = get_store()
        live = True
        if not store.is_history:
            try:
                live = store.is_complete(edition=edition)
            except StoreUnavailableError:
                live = False
        panels = []
        for key in selectors.WINDOWS:
            rows = selectors.most_viewed(
                edition=edition, hours=selectors.WINDOWS[key], now=now, limit=RANKING_SIZE
            )
            panels.append(
                {
                    "key": key,
                    "label": selectors.WINDOW_LABELS[key],
                    "rows": [
                        {
                            "article": row.article,
                            "views": row.views,
                            "url": reverse("audience_admin:article", args=[row.article.pk]),
                        }
                        for row in rows
                    ],
                    "export_url": reverse("audience_admin:export_ranking")
                    + "?"
                    + urlencode({"edition": edition, "window": key}),
                }
            )
        names = edition_names()
        context.update(
            {
                "edition": edition,
                "edition_name": names[edition],
                "editions": [
                    {
                        "code": code,
                        "name": name,
                        "url": reverse("audience_admin:dashboard")
                        + "?"
                        + urlencode({"edition": code}),
                        "current": code == edition,
                    }
                    for code, name in names.items()
                ],
                "panels": panels,
                "store_name": store.name,
                "store_live": live,
                "history_export_url": reverse("audience_admin:export_history")
                + "?"
                + urlencode({"edition": edition, "days": DAILY_DAYS}),
                "now": now,
            }
        )
        return context


class ArticleView(AudienceView):
    """One article: views per hour (48 hours) and per day (90 days), sources, paywall."""

    template_name = "audience/admin/article.html"

    def dispatch(self, request, *args, **kwargs):
        _require_permission(request)
        self.article = selectors.article_for_dashboard(article_id=kwargs["article_id"])
        if self.article is None:
            raise Http404(_("There is no such article."))
        self.edition = self.article.locale.language_code.lower()
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.article.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse("audience_admin:dashboard")
                + "?"
                + urlencode({"edition": self.edition}),
                "label": _("Audience"),
            },
            {"url": "", "label": self.article.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article, edition, now = self.article, self.edition, timezone.now()
        hourly = selectors.article_hourly_series(
            article=article, edition=edition, now=now, hours=HOURLY_HOURS
        )
        daily = selectors.article_daily_series(
            article=article, edition=edition, now=now, days=DAILY_DAYS
        )
        hourly_chart = charts.bar_chart(
            [
                (
                    formats.date_format(hour, "SHORT_DATETIME_FORMAT"),
                    formats.time_format(hour, "H:i") if hour.hour % 6 == 0 else "",
                    views,
                )
                for hour, views, _paywall, _subs in hourly
            ]
        )
        daily_chart = charts.bar_chart(
            [
                (
                    formats.date_format(day, "SHORT_DATE_FORMAT"),
                    formats.date_format(day, "j M") if index % 14 == 0 else "",
                    views,
                )
                for index, (day, views, _paywall, _subs) in enumerate(daily)
            ]
        )
        export = reverse("audience_admin:export_article", args=[article.pk])
        context.update(
            {
                "article": article,
                "edition_name": edition_names().get(edition, edition),
                "hourly": hourly,
                "daily": daily,
                "hourly_chart": hourly_chart,
                "daily_chart": daily_chart,
                "sources": selectors.article_sources(
                    article=article, edition=edition, now=now, days=DAILY_DAYS
                ),
                "summary": [
                    (_("Last 48 hours"), selectors.conversions(hourly)),
                    (_("Last 90 days"), selectors.conversions(daily)),
                ],
                "live_url": article.get_url(self.request) if article.live else "",
                "edit_url": reverse("wagtailadmin_pages:edit", args=[article.pk]),
                "hourly_export_url": f"{export}?series=hourly",
                "daily_export_url": f"{export}?series=daily",
            }
        )
        return context


# CSV


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so that spreadsheets read it as UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def export_ranking(request: HttpRequest) -> HttpResponseBase:
    """The edition's top 100 over a window."""
    _require_permission(request)
    try:
        edition, window = _edition_from(request), _window_from(request)
    except BadInputError as error:
        return _bad_request(error)
    now = timezone.now()
    rows = selectors.most_viewed(
        edition=edition, hours=selectors.WINDOWS[window], now=now, limit=EXPORT_RANKING_SIZE
    )
    return _csv_response(
        f"most-viewed-{edition}-{window}-{now:%Y%m%d-%H%M}.csv",
        [_("rank"), _("article id"), _("headline"), _("address"), _("views")],
        (
            (rank, row.article.pk, row.article.title, row.article.get_url(request), row.views)
            for rank, row in enumerate(rows, start=1)
        ),
    )


def export_article(request: HttpRequest, article_id: int) -> HttpResponseBase:
    """One article's series: hourly (48 hours) or daily (90 days)."""
    _require_permission(request)
    article = selectors.article_for_dashboard(article_id=article_id)
    if article is None:
        raise Http404(_("There is no such article."))
    edition, now = article.locale.language_code.lower(), timezone.now()
    series = request.GET.get("series", "daily")
    cells: Iterable[tuple]
    if series == "hourly":
        hourly = selectors.article_hourly_series(
            article=article, edition=edition, now=now, hours=HOURLY_HOURS
        )
        first = _("hour (UTC)")
        cells = ((hour.strftime("%Y-%m-%d %H:00"), *counts) for hour, *counts in hourly)
    elif series == "daily":
        daily = selectors.article_daily_series(
            article=article, edition=edition, now=now, days=DAILY_DAYS
        )
        first = _("day (UTC)")
        cells = ((day.isoformat(), *counts) for day, *counts in daily)
    else:
        return _bad_request(
            BadInputError(_("There is no series “%(series)s”.") % {"series": series[:20]})
        )
    return _csv_response(
        f"article-{article.pk}-{series}-{now:%Y%m%d-%H%M}.csv",
        [first, _("views"), _("paywall hits"), _("subscriptions")],
        cells,
    )


def export_history(request: HttpRequest) -> HttpResponseBase:
    """Every article of the edition, day by day, over the last `days` days."""
    _require_permission(request)
    now = timezone.now()
    try:
        edition = _edition_from(request)
        try:
            days = int(request.GET.get("days", DAILY_DAYS))
        except ValueError:
            days = 0
        if not 1 <= days <= MAX_EXPORT_DAYS:
            raise BadInputError(
                _("Ask for between 1 and %(most)d days.") % {"most": MAX_EXPORT_DAYS}
            )
    except BadInputError as error:
        return _bad_request(error)
    rows = selectors.edition_daily_history(edition=edition, now=now, days=days)
    return _csv_response(
        f"audience-{edition}-{days}d-{now:%Y%m%d}.csv",
        [
            _("day (UTC)"),
            _("article id"),
            _("headline"),
            _("views"),
            _("paywall hits"),
            _("subscriptions"),
        ],
        ((day.isoformat(), *rest) for day, *rest in rows),
    )
