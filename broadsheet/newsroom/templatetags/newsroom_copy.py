from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Whole sentences, not "Read this article in {language}": a language's name is capitalised in
# English and not in Spanish ("Lee este artículo en inglés"), which only a translator can say.
READ_IN = {
    "en": _("Read this article in English"),
    "es": _("Read this article in Spanish"),
}


@register.filter
def read_in_language(language_code: str) -> str:
    """The link to an article's translation, in the reader's language, naming the target's."""
    base = (language_code or "").split("-")[0].lower()
    sentence = READ_IN.get(base)
    if sentence is None:
        return str(_("Read this article in another language"))
    return str(sentence)
