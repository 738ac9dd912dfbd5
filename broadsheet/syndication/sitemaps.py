"""The XML sitemap of every live article, section and edition, and the Google News sitemap."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.utils import timezone
from django.views.generic import TemplateView

from broadsheet.newsroom import selectors
from broadsheet.newsroom.models import ArticlePage, EditionPage, SectionPage

NEWS_SITEMAP_WINDOW = timedelta(hours=48)
NEWS_SITEMAP_LIMIT = 1000  # Google News reads at most this many URLs per sitemap.


class _PageSitemap(Sitemap):
    model = ArticlePage
    limit = 50_000

    def items(self):
        return self.model.objects.live().public().defer_streamfields().order_by("pk")

    def location(self, item) -> str:
        # get_url_parts gives the path with its language prefix; the domain is added by Sitemap.
        return item.get_url_parts()[2]

    def lastmod(self, item):
        return item.last_published_at


class ArticleSitemap(_PageSitemap):
    model = ArticlePage
    changefreq = "daily"


class SectionSitemap(_PageSitemap):
    model = SectionPage
    changefreq = "hourly"


class EditionSitemap(_PageSitemap):
    model = EditionPage
    changefreq = "always"
    priority = 1.0


sitemaps = {"editions": EditionSitemap, "sections": SectionSitemap, "articles": ArticleSitemap}


class NewsSitemapView(TemplateView):
    template_name = "syndication/news_sitemap.xml"
    content_type = "application/xml"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        since = timezone.now() - NEWS_SITEMAP_WINDOW
        articles = selectors.article_list_published_since(since=since).select_related("locale")
        context["articles"] = articles[:NEWS_SITEMAP_LIMIT]
        return context
