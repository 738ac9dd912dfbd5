"""Finding the page a reader asked for without Wagtail's generic walk.

Wagtail's `Page.route_for_request` costs, before the edition's own `route()` runs, a query for
the Site, one for its root page, one for the active Locale and one for the root's `.specific`
edition (plus one for the translation in the Spanish edition). Here:

- the Site comes from the cached list of sites (`site_for_request`, Wagtail's own matching of
  hostname and port, kept until a Site is saved or deleted: signals.py);
- the edition of the active language is already kept in the cache for every page's header
  (`selectors.edition_chrome`), so the route starts there when that edition is a root of the
  request's Site (Wagtail's cached `Site.get_site_root_paths`).

Anything else (an unknown host, an unpublished edition) is left to Wagtail. The results go
where Wagtail keeps its own for the request (`request._wagtail_site`,
`request._wagtail_route_for_request`), which Wagtail's lookups then return as they are.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest
from django.http.request import split_domain_port
from wagtail.models import Site

from . import selectors

SITES_CACHE_KEY = "newsroom:sites"

# wagtail.models.sites.get_site_for_hostname's ranking of the candidates.
MATCH_HOSTNAME_PORT, MATCH_HOSTNAME_DEFAULT, MATCH_DEFAULT, MATCH_HOSTNAME = 0, 1, 2, 3


def site_list() -> list[Site]:
    sites = cache.get(SITES_CACHE_KEY)
    if sites is None:
        sites = list(Site.objects.order_by("pk"))
        cache.set(SITES_CACHE_KEY, sites, None)
    return sites


def site_for_hostname(hostname: str, port: int) -> Site | None:
    """What Wagtail's get_site_for_hostname answers, from the cached sites: the exact hostname
    and port, else that hostname if it is the default site, else the one site of that hostname
    beside the default, else the default site."""

    def match(site: Site) -> int:
        if site.hostname == hostname and site.port == port:
            return MATCH_HOSTNAME_PORT
        if site.hostname == hostname and site.is_default_site:
            return MATCH_HOSTNAME_DEFAULT
        if site.is_default_site:
            return MATCH_DEFAULT
        return MATCH_HOSTNAME

    candidates = sorted(
        (site for site in site_list() if site.hostname == hostname or site.is_default_site),
        key=match,
    )
    if not candidates:
        return None
    best = match(candidates[0])
    if len(candidates) == 1 or best in (MATCH_HOSTNAME_PORT, MATCH_HOSTNAME_DEFAULT):
        return candidates[0]
    if best == MATCH_DEFAULT:
        return candidates[len(candidates) == 2]
    return None


# Where Wagtail itself keeps the request's Site and route (Site.find_for_request,
# Page.route_for_request): set here first, Wagtail's view then finds them and asks nothing.
WAGTAIL_SITE_ATTRIBUTE = "_wagtail_site"
WAGTAIL_ROUTE_ATTRIBUTE = "_wagtail_route_for_request"


def site_for_request(request: HttpRequest) -> Site | None:
    if not hasattr(request, WAGTAIL_SITE_ATTRIBUTE):
        # As Wagtail: the raw host, so that ALLOWED_HOSTS is not checked twice.
        hostname = split_domain_port(request._get_raw_host())[0]  # type: ignore[attr-defined]
        setattr(
            request, WAGTAIL_SITE_ATTRIBUTE, site_for_hostname(hostname, int(request.get_port()))
        )
    return getattr(request, WAGTAIL_SITE_ATTRIBUTE)


def route_for_request(request: HttpRequest, path: str) -> None:
    if hasattr(request, WAGTAIL_ROUTE_ATTRIBUTE):
        return
    site = site_for_request(request)
    if site is None:
        return
    edition = selectors.edition_chrome_for_request(request)["edition"]
    if edition is None:
        return
    # Through the page, which keeps them on the request for every URL the page then builds.
    roots = edition._get_site_root_paths(request)
    if not any(root.site_id == site.pk and root.root_path == edition.url_path for root in roots):
        return
    components = [component for component in path.split("/") if component]
    try:
        setattr(request, WAGTAIL_ROUTE_ATTRIBUTE, edition.route(request, components))
    except Http404:
        setattr(request, WAGTAIL_ROUTE_ATTRIBUTE, None)
