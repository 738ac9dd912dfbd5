from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from broadsheet.pagecache.holes import hole_tag
from broadsheet.pagecache.members import is_members_copy

from ..rules import open_to_everyone
from ..selectors import sharing_warning_for, slot_holder_for

register = template.Library()


@register.simple_tag(takes_context=True)
def access_article_body(context, page) -> SafeString:
    """The article's body, or the hole where each reader's share of it goes.

    Free articles carry their body in the page. Metered and subscribers-only articles carry a
    hole that access.holes.article_body fills per request, so the rest of the page stays
    cacheable for everyone and the body is decided for each reader.
    """
    request = context.get("request")
    if not body_is_hole(page, request):
        body = render_to_string("access/includes/inline_body.html", {"page": page}, request=request)
        return format_html('<div class="article__body" id="article-body">{}</div>', body)
    return format_html(
        '<div class="article__body" id="article-body" data-access="{}">{}</div>',
        page.access_level,
        hole_tag(request, "article-body", article=str(page.pk)),
    )


def body_is_hole(page, request) -> bool:
    """The page's article body is the `article-body` hole (a metered or subscribers-only
    article outside the editors' preview)."""
    level = getattr(page, "access_level", None)
    return (
        level is not None
        and not open_to_everyone(level)
        and not getattr(request, "is_preview", False)
    )


@register.simple_tag(takes_context=True)
def access_sharing_warning(context) -> str:
    """The warning a seat flagged as shared shows on every page (signed-in readers only:
    anonymous pages, which are cached, never carry it).

    A page whose body is a hole gets the warning with its body (access.holes.article_body), so
    that a subscriber's article costs one request for everything of theirs in it; any other
    page of the members' copy carries the `sharing-warning` hole."""
    request = context.get("request")
    if request is None or body_is_hole(context.get("page"), request):
        return ""
    if is_members_copy(request):
        # The members' shared copy of the page: each reader's warning fills this hole.
        return hole_tag(request, "sharing-warning")
    warning = sharing_warning_for(request=request, now=timezone.now())
    if warning is None:
        return ""
    return render_to_string(
        "access/includes/sharing_warning.html", {"warning": warning}, request=request
    )


@register.simple_tag(takes_context=True)
def access_slot_holder(context) -> str:
    """The device (its id, as text) holding this reader's seat slot now, or ""."""
    request = context.get("request")
    if request is None:
        return ""
    return slot_holder_for(request=request, now=timezone.now())
