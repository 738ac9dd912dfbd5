"""Builders for newsroom content in tests: real pages, saved and published through Wagtail."""

from __future__ import annotations

import itertools
from datetime import datetime

from django.utils import timezone
from django.utils.text import slugify

from broadsheet.newsroom import services
from broadsheet.newsroom.models import ArticleAuthor, ArticlePage, Author, EditionPage, SectionPage

_sequence = itertools.count(1)


def author_create(*, name: str | None = None, **fields) -> Author:
    name = name or f"Reporter {next(_sequence)}"
    return Author.objects.create(name=name, slug=slugify(name), **fields)


def section_create(*, edition: EditionPage, title: str = "World", slug: str | None = None):
    return services.section_ensure(edition=edition, title=title, slug=slug or slugify(title))


def article_publish(
    *,
    section: SectionPage,
    title: str | None = None,
    standfirst: str = "What happened, in one sentence.",
    body: list | None = None,
    access_level: str = "free",
    tags: list[str] = (),
    authors: list[Author] = (),
    published_at: datetime | None = None,
    **fields,
) -> ArticlePage:
    title = title or f"Story number {next(_sequence)}"
    article = ArticlePage(
        title=title,
        slug=fields.pop("slug", slugify(title)),
        standfirst=standfirst,
        access_level=access_level,
        body=body if body is not None else [("paragraph", "<p>The first paragraph.</p>")],
        **fields,
    )
    for order, author in enumerate(authors):
        article.article_authors.add(ArticleAuthor(author=author, sort_order=order))
    section.add_child(instance=article)
    if tags:
        article.tags.add(*tags)
    article.save_revision().publish()
    if published_at is not None:
        ArticlePage.objects.filter(pk=article.pk).update(
            first_published_at=published_at, last_published_at=published_at
        )
    article.refresh_from_db()
    return article


def now() -> datetime:
    return timezone.now()
