"""Editor panels of the newsroom."""

from __future__ import annotations

from wagtail.admin.panels import Panel


class EditionCheckPanel(Panel):
    """At the top of an article's editor, when it holds related articles or tags of another
    edition (a fresh translation whose originals have no translation yet): names them, so the
    editor sees what to resolve before saving rather than after."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "newsroom/admin/edition_check_panel.html"

        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self.mismatches = (
                _selectors().article_edition_mismatches(article=self.instance)
                if self.instance is not None and self.instance.locale_id
                else None
            )

        def is_shown(self) -> bool:
            return bool(self.mismatches)

        def get_context_data(self, parent_context=None) -> dict:
            context = super().get_context_data(parent_context)
            context["mismatches"] = self.mismatches
            return context


def _selectors():
    # models.py imports this module for its editor; the selectors import the models.
    from . import selectors

    return selectors
