"""The article editor's form: an article credits and links within its own edition."""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm


class ArticlePageForm(WagtailAdminPageForm):
    """Offers only the edition's (and the shared) authors, and refuses related articles and
    tags of the other edition, naming each, so that a translated draft cannot go out with the
    original's English cards or tags."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        authors = self.formsets.get("article_authors")
        if authors is not None:
            # The child form class is shared by every request: restrict a subclass of it, for
            # this form's formset alone, before any of its forms (or its empty form) is built.
            child = authors.form
            restricted: Any = type(child.__name__, (child,), {})
            restricted.base_fields = dict(child.base_fields)
            field = copy.deepcopy(restricted.base_fields["author"])
            field.queryset = _selectors().author_list_for_edition(locale_id=self._locale_id())
            restricted.base_fields["author"] = field
            authors.form = restricted

    def _locale_id(self) -> int | None:
        if self.instance.locale_id:
            return self.instance.locale_id
        return self.parent_page.locale_id if self.parent_page is not None else None

    def clean(self):
        cleaned_data = super().clean()
        locale_id = self._locale_id()
        links = self.formsets.get("related_links")
        if links is not None:
            for form in links.forms:
                if not form.is_valid() or form in links.deleted_forms:
                    continue
                article = form.cleaned_data.get("article")
                if article is not None and article.locale_id != locale_id:
                    form.add_error(
                        "article",
                        _(
                            "“%(title)s” is in another edition and has no translation in "
                            "this one yet: translate it, or remove this link."
                        )
                        % {"title": article.title},
                    )
        names = cleaned_data.get("tags") or []
        foreign = (
            _selectors()
            .tag_list_by_name(names=names)
            .exclude(locale__isnull=True)
            .exclude(locale_id=locale_id)
        )
        if foreign:
            self.add_error(
                "tags",
                _(
                    "These tags belong to another edition: %(tags)s. Use this edition's "
                    "tags (a tag's page in Tags lists its counterparts), or remove them."
                )
                % {"tags": ", ".join(tag.name for tag in foreign)},
            )
        return cleaned_data


def _selectors():
    # models.py imports this module for its editor; the selectors import the models.
    from . import selectors

    return selectors
