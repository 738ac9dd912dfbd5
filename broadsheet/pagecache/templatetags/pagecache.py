from django import template

from ..fragments import esi_tag

register = template.Library()


@register.simple_tag
def esi_include(src: str) -> str:
    """A hole in a cached page, filled per request from a fragment URL with its own cache life.

    Varnish fills it in production (ESI); without Varnish, the page cache middleware does.
    """
    return esi_tag(src)
