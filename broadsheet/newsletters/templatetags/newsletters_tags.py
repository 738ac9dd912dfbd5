from django import template
from django.conf import settings
from django.utils import translation

from broadsheet.newsletters import selectors
from broadsheet.pagecache.members import reader_of_own_page

register = template.Library()


@register.inclusion_tag("newsletters/includes/signup_form.html", takes_context=True)
def newsletter_signup_box(context, source: str = "article") -> dict:
    """The signup box of the current edition's digest. Pages are shared from the cache (one
    copy for anonymous readers, one for signed-in readers), so the box holds nothing personal;
    only a page rendered for one reader alone (staff) gets their address filled in."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    user = reader_of_own_page(context.get("request"))
    prefill = (user.email or "") if user is not None else ""
    return {
        "newsletter": selectors.newsletter_for_signup_box(language_code=language),
        "source": source,
        "prefill_email": prefill,
    }
