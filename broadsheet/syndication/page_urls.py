"""Absolute URLs of many pages at once, from their url_path alone.

Wagtail's Page.get_full_url() asks the cache for the site root paths and reverses a URL pattern
under the page's language, for every page. A sitemap page of 50,000 URLs cannot afford that, so
the roots and their language prefixes are resolved once here and each page URL is a string join.
The result is the same URL as get_full_url() (the tests hold the two to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from wagtail.models import Site

# What Django's reverse() leaves unquoted in a path (see django.urls.resolvers).
_PATH_SAFE = "!$&'()*+,;=/~:@"
_REQUEST_ATTRIBUTE = "_syndication_page_urls"


@dataclass(frozen=True)
class _Root:
    root_path: str  # the url_path of a site's home (or of one of its translations)
    base_url: str  # scheme, host and language prefix, e.g. "https://example.com/en-us/"


class PageUrls:
    def __init__(self, roots: list[_Root]):
        # Most specific root first, as Site.get_site_root_paths() orders them.
        self._roots = roots

    @classmethod
    def build(cls) -> PageUrls:
        roots = []
        for root in Site.get_site_root_paths():
            try:
                with translation.override(root.language_code):
                    prefix = reverse("wagtail_serve", args=("",))
            except NoReverseMatch:
                continue
            roots.append(_Root(root_path=root.root_path, base_url=root.root_url + prefix))
        return cls(roots)

    @classmethod
    def for_request(cls, request: HttpRequest | None) -> PageUrls:
        """One resolver per request, however many tags and feeds ask for it."""
        if request is None:
            return cls.build()
        page_urls = getattr(request, _REQUEST_ATTRIBUTE, None)
        if page_urls is None:
            page_urls = cls.build()
            setattr(request, _REQUEST_ATTRIBUTE, page_urls)
        return page_urls

    def url(self, url_path: str) -> str | None:
        """The absolute URL of the page with this url_path, or None if no site serves it."""
        for root in self._roots:
            if url_path.startswith(root.root_path):
                return root.base_url + quote(url_path[len(root.root_path) :], safe=_PATH_SAFE)
        return None

    @property
    def root_paths(self) -> list[str]:
        return [root.root_path for root in self._roots]
