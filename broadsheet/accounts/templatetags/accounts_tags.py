from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("accounts/includes/account_link.html", takes_context=True)
def account_link(context) -> dict:
    """ "Sign in" or "My account" in the masthead.

    A request without a session cookie gets the one anonymous variant (shared by the page
    cache) without the session being touched; only a browser with a session is asked whether
    it is signed in.
    """
    request = context.get("request")
    signed_in = False
    if request is not None and settings.SESSION_COOKIE_NAME in request.COOKIES:
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
    return {"signed_in": signed_in, "next_path": request.path if request is not None else ""}
