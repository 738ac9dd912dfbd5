from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from .sitemaps import NewsSitemapView, sitemaps

# Site-wide (not per edition) machine-readable URLs. /sitemap.xml is the index; each section
# (editions, sections, articles) has its own paginated sitemap.
urlpatterns = [
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<str:section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps, "template_name": "syndication/sitemap.xml"},
        name="sitemap_section",
    ),
    path("news-sitemap.xml", NewsSitemapView.as_view(), name="news_sitemap"),
]
