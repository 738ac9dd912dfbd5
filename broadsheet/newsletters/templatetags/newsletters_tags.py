from django import template
from django.conf import settings
from django.utils import translation

from broadsheet.newsletters import selectors
from broadsheet.pagecache.members import is_members_copy

register = template.Library()


@register.inclusion_tag("newsletters/includes/signup_form.html", takes_context=True)
def newsletter_signup_box(context, source: str = "article") -> dict:
    """The signup box of the current edition's digest. Pages are shared from the cache (one
    copy for anonymous readers, one for signed-in readers), so the box holds nothing personal;
    only a page rendered for one reader alone (staff) gets their address filled in."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    request = context.get("request")
    prefill = ""
    # Touching request.user loads the session and makes the page vary by cookie, which would
    # keep it out of the shared cache: only a request with a session cookie can be signed in.
    members_copy = is_members_copy(request)
    if request is not None and settings.SESSION_COOKIE_NAME in request.COOKIES and not members_copy:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            prefill = getattr(user, "email", "") or ""
    return {
        "newsletter": selectors.newsletter_for_signup_box(language_code=language),
        "source": source,
        "prefill_email": prefill,
    }
