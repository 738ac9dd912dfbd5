from __future__ import annotations

from django import template

from broadsheet.accounts.sessions import signed_in_user

register = template.Library()


@register.inclusion_tag("accounts/includes/account_link.html", takes_context=True)
def account_link(context) -> dict:
    """ "Sign in" or "My account" in the masthead.

    A request without a session cookie gets the one anonymous variant (shared by the page
    cache) without the session being touched; only a browser with a session is asked whether
    it is signed in.
    """
    request = context.get("request")
    signed_in = request is not None and signed_in_user(request) is not None
    return {"signed_in": signed_in, "next_path": request.path if request is not None else ""}
