from django.contrib.sitemaps.views import sitemap
from django.urls import path

from .sitemaps import NewsSitemapView, sitemaps

# Site-wide (not per edition) machine-readable URLs.
urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("news-sitemap.xml", NewsSitemapView.as_view(), name="news_sitemap"),
]
