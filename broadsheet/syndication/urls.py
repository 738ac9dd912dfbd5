from django.urls import path

from .feeds import EditionFeed, SectionFeed, TagFeed, atom

app_name = "syndication"

# Mounted inside the edition's language prefix.
urlpatterns = [
    path("feed/rss/", EditionFeed(), name="edition_rss"),
    path("feed/atom/", atom(EditionFeed)(), name="edition_atom"),
    path("tag/<str:slug>/feed/rss/", TagFeed(), name="tag_rss"),
    path("tag/<str:slug>/feed/atom/", atom(TagFeed)(), name="tag_atom"),
    path("section/<str:slug>/feed/rss/", SectionFeed(), name="section_rss"),
    path("section/<str:slug>/feed/atom/", atom(SectionFeed)(), name="section_atom"),
]
