"""Reader pages: Wagtail's pages (through page_serve), tag and author archives, and search."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail import views as wagtail_views

from broadsheet.pagecache.members import mark_shareable_for_members

from . import routing, selectors
from .models import EditionPage

MAX_QUERY_LENGTH = 200


def _current_edition() -> EditionPage:
    edition = selectors.edition_for_language()
    if edition is None:
        raise Http404(_("This edition does not exist."))
    return edition


def page_serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's page view, its route found from the cached edition (routing.py)."""
    routing.route_for_request(request, path)
    return wagtail_views.serve(request, path)


def tag_archive(request: HttpRequest, slug: str) -> HttpResponse:
    mark_shareable_for_members(request)
    edition = _current_edition()
    tag = selectors.tag_by_slug(slug=slug)
    page = selectors.paginate(request, selectors.article_list_for_tag(edition=edition, tag=tag))
    return render(request, "newsroom/tag_archive.html", {"tag": tag, "latest_page": page})


def author_archive(request: HttpRequest, slug: str) -> HttpResponse:
    mark_shareable_for_members(request)
    edition = _current_edition()
    author = selectors.author_by_slug(slug=slug)
    page = selectors.paginate(
        request, selectors.article_list_for_author(edition=edition, author=author)
    )
    return render(request, "newsroom/author_archive.html", {"author": author, "latest_page": page})


def search(request: HttpRequest) -> HttpResponse:
    edition = _current_edition()
    # Control characters mean nothing in a search and upset full-text query parsers.
    typed = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable() or ch.isspace())
    query = " ".join(typed.split())
    problem = ""
    results = None
    if len(query) > MAX_QUERY_LENGTH:
        problem = _("Your search is too long: use at most %(count)d characters.") % {
            "count": MAX_QUERY_LENGTH
        }
    elif query:
        results = selectors.paginate(
            request, selectors.article_search(edition=edition, query=query)
        )
    status = 400 if problem else 200
    return render(
        request,
        "newsroom/search.html",
        {"query": query[:MAX_QUERY_LENGTH], "results": results, "problem": problem},
        status=status,
    )
