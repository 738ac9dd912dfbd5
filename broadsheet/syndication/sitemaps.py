"""The XML sitemaps of every live, public article, section and edition, and the Google News one.

/sitemap.xml is an index of section sitemaps of at most `limit` URLs each (/sitemap-articles.xml,
?p=2, ...), so a million articles are twenty pages. Each page is one query of plain values: no
model instances, no per-page URL reversal (see page_urls).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.models import Page

from broadsheet.newsroom.models import ArticlePage, EditionPage, SectionPage

from .page_urls import PageUrls

NEWS_SITEMAP_WINDOW = timedelta(hours=48)
NEWS_SITEMAP_LIMIT = 1000  # Google News reads at most this many URLs per sitemap.


def _now() -> datetime:
    return timezone.now()


def w3c_datetime(moment: datetime) -> str:
    """The W3C datetime of sitemaps, in UTC to the second: 2025-06-01T08:30:00+00:00."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _in_a_site(page_urls: PageUrls) -> Q:
    # A page outside every site root has no URL; keeping it out of the query keeps pages full.
    condition = Q(pk__in=[])
    for root_path in page_urls.root_paths:
        condition |= Q(url_path__startswith=root_path)
    return condition


def published_pages(model: type[Page], page_urls: PageUrls) -> QuerySet[Page]:
    """Live pages of exactly this type that any reader may see, on some site."""
    return Page.objects.live().public().exact_type(model).filter(_in_a_site(page_urls))


class _PageSitemap(Sitemap):
    model: type[Page] = ArticlePage
    limit = 50_000
    changefreq: str | None = None
    # Fronts change with every article below them; a lastmod of the front page's own
    # publication would mislead crawlers, so fronts have none.
    has_lastmod = False

    def __init__(self) -> None:
        self.page_urls = PageUrls.build()

    def items(self):
        return (
            published_pages(self.model, self.page_urls)
            .order_by("pk")
            .values_list("url_path", "last_published_at", named=True)
        )

    def get_latest_lastmod(self) -> datetime | None:
        # One aggregate: Django's default would load every item to find the newest.
        if not self.has_lastmod:
            return None
        latest = published_pages(self.model, self.page_urls).aggregate(
            latest=Max("last_published_at")
        )
        return latest["latest"]

    def get_urls(self, page=1, site=None, protocol=None) -> list[dict]:
        # Absolute URLs come from the Wagtail site, as canonical links do, not from the request.
        urls = []
        latest_lastmod = None
        for row in self.paginator.page(page).object_list:
            location = self.page_urls.url(row.url_path)
            if location is None:
                continue
            lastmod = row.last_published_at if self.has_lastmod else None
            if lastmod is not None and (latest_lastmod is None or lastmod > latest_lastmod):
                latest_lastmod = lastmod
            urls.append(
                {
                    "location": location,
                    # Formatted here: the template's date filter costs a second per 50,000 URLs.
                    "lastmod": w3c_datetime(lastmod) if lastmod else None,
                    "changefreq": self.changefreq,
                }
            )
        if latest_lastmod is not None:
            self.latest_lastmod = latest_lastmod
        return urls


class ArticleSitemap(_PageSitemap):
    model = ArticlePage
    has_lastmod = True


class SectionSitemap(_PageSitemap):
    model = SectionPage
    changefreq = "hourly"


class EditionSitemap(_PageSitemap):
    model = EditionPage
    changefreq = "always"


sitemaps = {"editions": EditionSitemap, "sections": SectionSitemap, "articles": ArticleSitemap}


def news_language(language_code: str) -> str:
    """Google News wants an ISO 639 code ("en", "es"), except for the two Chinese scripts."""
    code = language_code.lower()
    if code in {"zh-cn", "zh-tw"}:
        return code
    return code.split("-")[0]


def news_sitemap_entries(*, now: datetime, page_urls: PageUrls) -> list[dict]:
    """The articles first published in the last 48 hours, newest first, at most 1000."""
    rows = (
        published_pages(ArticlePage, page_urls)
        .filter(first_published_at__gte=now - NEWS_SITEMAP_WINDOW)
        .order_by("-first_published_at", "-pk")
        .values_list("url_path", "title", "first_published_at", "locale__language_code", named=True)
    )
    entries = []
    for row in rows[:NEWS_SITEMAP_LIMIT]:
        location = page_urls.url(row.url_path)
        if location is None:
            continue
        entries.append(
            {
                "location": location,
                "title": row.title,
                "published_at": w3c_datetime(row.first_published_at),
                "language": news_language(row.locale__language_code),
            }
        )
    return entries


class NewsSitemapView(TemplateView):
    template_name = "syndication/news_sitemap.xml"
    content_type = "application/xml; charset=utf-8"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["publication_name"] = settings.WAGTAIL_SITE_NAME
        context["entries"] = news_sitemap_entries(
            now=_now(), page_urls=PageUrls.for_request(self.request)
        )
        return context
