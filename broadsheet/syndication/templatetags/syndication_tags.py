"""Template tags for the machine-readable parts of a page's <head>."""

from __future__ import annotations

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.template.context import Context
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page

from ..page_meta import HeadMeta
from ..page_meta import head_meta as build_head_meta

register = template.Library()

# As django.utils.html.json_script: inside <script>, "</script>" or "<!--" in a headline or a
# standfirst must not end the element or open a comment, so <, > and & are written as escapes.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_dumps(data: dict) -> str:
    """JSON safe to place between <script> tags."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


@register.simple_tag
def json_ld(data: dict) -> SafeString:
    """{% json_ld data %}: a <script type="application/ld+json"> element."""
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(json_ld_dumps(data)),  # noqa: S308
    )


@register.simple_tag(takes_context=True)
def head_meta(context: Context, page: Page) -> HeadMeta | None:
    """{% head_meta page as meta %}: canonical, hreflang, Open Graph, Twitter and JSON-LD."""
    return build_head_meta(page, request=context.get("request"), context=context)
