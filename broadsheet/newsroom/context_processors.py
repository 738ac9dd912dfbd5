from django.http import HttpRequest

from . import selectors


def edition(request: HttpRequest) -> dict:
    """The edition of the page being shown, its sections and the other editions, lazily."""
    current = selectors.edition_for_language()
    return {
        "edition": current,
        "edition_sections": (lambda: selectors.edition_section_list(edition=current))
        if current
        else [],
        "editions": selectors.edition_list,
    }
