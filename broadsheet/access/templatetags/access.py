from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

from broadsheet.pagecache.fragments import esi_tag

from ..rules import FREE
from ..selectors import sharing_warning_for, slot_holder_for

register = template.Library()


@register.simple_tag(takes_context=True)
def access_article_body(context, page) -> SafeString:
    """The article's body, or the hole where each reader's share of it goes.

    Free articles carry their body in the page. Metered and subscribers-only articles carry a
    hole that the body fragment (access.views.article_body) fills per request, so the rest of
    the page stays cacheable for everyone and the body is decided for each reader.
    """
    request = context.get("request")
    if page.access_level == FREE or getattr(request, "is_preview", False):
        body = render_to_string("access/includes/inline_body.html", {"page": page}, request=request)
        return format_html('<div class="article__body" id="article-body">{}</div>', body)
    src = reverse("access:article_body", args=[page.pk])
    return format_html(
        '<div class="article__body" id="article-body" data-access="{}">{}</div>',
        page.access_level,
        esi_tag(src),
    )


@register.simple_tag(takes_context=True)
def access_sharing_warning(context) -> str:
    """The warning a seat flagged as shared shows on every page (signed-in readers only:
    anonymous pages, which are cached, never carry it)."""
    request = context.get("request")
    if request is None:
        return ""
    if getattr(request, "page_shell_for_members", False):
        # The members' shared copy of the page: each reader's warning fills this hole.
        language = translation.get_language() or settings.LANGUAGE_CODE
        return esi_tag(reverse("access:sharing_warning", args=[language.lower()]))
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
