"""What article and edition templates put on the page: the counting beacon and the "Most
viewed" rails. Both are the same for every reader, so the pages stay shareable in the cache."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from broadsheet.pagecache.holes import hole_tag

from ..beacons import beacon_path

register = template.Library()


@register.simple_tag(takes_context=True)
def audience_beacon(context, page) -> SafeString:
    """Count this article page as a view once a reader's browser shows it.

    With JavaScript, a small script sends the beacon with the page's referrer, and waits until
    a prerendered page is actually shown; without it, the <noscript> image sends it. Previews
    count nothing."""
    request = context.get("request")
    if request is None or getattr(request, "is_preview", False) or not page.pk:
        return mark_safe("")
    edition = page.locale.language_code.lower()
    url = beacon_path(edition=edition, article_id=page.pk)
    return format_html(
        '<script src="{}" data-beacon="{}" async></script>'
        '<noscript><img class="audience-beacon" src="{}" alt="" width="1" height="1"></noscript>',
        static("audience/beacon.js"),
        url,
        url,
    )


@register.simple_tag(takes_context=True)
def most_viewed_rail(context, window: str = "24h") -> SafeString:
    """A hole in the cached page, filled with the edition's "Most viewed" rail for `window`
    ("24h" or "7d") from its own, shorter-lived cache (ESI)."""
    parts = []
    # The rails' few styles, once per page.
    if not context.render_context.get("audience_styles"):
        context.render_context["audience_styles"] = True
        parts.append(format_html('<link rel="stylesheet" href="{}">', static("audience/rails.css")))
    # In the active language: the edition of the page being rendered.
    parts.append(hole_tag(context.get("request"), "most-viewed", window=window))
    return mark_safe("".join(parts))  # noqa: S308  (each part is escaped by format_html)
