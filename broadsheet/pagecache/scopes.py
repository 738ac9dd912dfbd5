from django.conf import settings

SITE_SCOPE = "site"


def scope_for_path(path: str) -> str:
    """The edition a path belongs to, by its language prefix, else the site scope."""
    first = path.lstrip("/").split("/", 1)[0].lower()
    if first in {code for code, _name in settings.LANGUAGES}:
        return first
    return SITE_SCOPE


def generation_key(scope: str) -> str:
    return f"pagecache:generation:{scope}"
