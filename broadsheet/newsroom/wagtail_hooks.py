"""Admin changes for the newsroom: authors and tags as snippets."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Author, Tag


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = _("Authors")
    list_display = ["name", "role", "slug"]
    search_fields = ["name"]
    add_to_admin_menu = True
    menu_order = 210


class TagViewSet(SnippetViewSet):
    model = Tag
    icon = "tag"
    menu_label = _("Tags")
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name"]
    add_to_admin_menu = True
    menu_order = 220


register_snippet(AuthorViewSet)
register_snippet(TagViewSet)
