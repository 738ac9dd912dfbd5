"""Builds the demo newsroom through Wagtail, the way an editor's work would: real pages,
revisions, publication, translations made with copy_for_translation.

The demo's articles carry translation keys derived from their story keys, so the demo can tell
its own pages from everything else (to refuse a second load, or to remove exactly itself).
"""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from broadsheet.audience import services as audience_services
from broadsheet.audience.hits import Hit, Kind, Source
from broadsheet.newsroom import services
from broadsheet.newsroom.models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    EditionPage,
    EditionTopStory,
    RelatedArticle,
    SectionPage,
    Tag,
)

from . import images, people, stories_en, stories_es
from .corpus import (
    Block,
    Paragraph,
    Picture,
    PullQuote,
    RelatedCard,
    SectionSpec,
    Story,
    Subhead,
    TagSpec,
)

EN = "en-us"
ES = "es-es"
# Fixed, so that the demo's translation keys are the same on every machine and every run.
DEMO_NAMESPACE = uuid.UUID("5d0a2c8e-41f7-4b6e-9f3a-0c7e2b9d6a14")
DEMO_COLLECTION = "Demo content"

SECTIONS: dict[str, tuple[SectionSpec, ...]] = {
    EN: stories_en.SECTIONS,
    ES: stories_es.SECTIONS,
}
STORIES: tuple[Story, ...] = stories_en.STORIES + stories_es.STORIES
TOP_STORIES: dict[str, tuple[str, ...]] = {
    EN: stories_en.TOP_STORIES,
    ES: stories_es.TOP_STORIES,
}


def story_translation_key(key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"story:{key}")


def _demo_translation_keys() -> list[uuid.UUID]:
    return sorted({story_translation_key(story.key) for story in STORIES})


def demo_article_count() -> int:
    return ArticlePage.objects.filter(translation_key__in=_demo_translation_keys()).count()


@dataclass
class DemoSummary:
    articles: dict[str, int] = field(default_factory=dict)
    translations: int = 0
    sections: dict[str, int] = field(default_factory=dict)
    authors: int = 0
    images: int = 0
    tags: int = 0
    top_stories: dict[str, int] = field(default_factory=dict)
    views: int = 0


@transaction.atomic
def demo_content_reset() -> int:
    """Remove the demo's articles, images and authors (not sections or other content).

    Returns how many articles were removed.
    """
    articles = list(ArticlePage.objects.filter(translation_key__in=_demo_translation_keys()))
    homes_with_picks = set(
        EditionTopStory.objects.filter(article__in=articles).values_list("page_id", flat=True)
    )
    for article in articles:
        # One by one, through Wagtail and treebeard, so the tree's child counts stay right.
        article.delete()
    for home in EditionPage.objects.filter(pk__in=homes_with_picks):
        # The picks went with their articles; without a new revision, the home's latest one
        # would still name them and could not be published again.
        home.save_revision().publish()
    collection = Collection.objects.filter(name=DEMO_COLLECTION).first()
    if collection is not None:
        for image in get_image_model().objects.filter(collection=collection):
            image.delete()
    Author.objects.filter(slug__in=[author.slug for author in people.AUTHORS]).delete()
    demo_tag_names = {tag.name for story in STORIES for tag in story.tags}
    Tag.objects.filter(name__in=demo_tag_names, tagged_articles__isnull=True).delete()
    return len(articles)


@transaction.atomic
def demo_content_load(
    *,
    now: datetime | None = None,
    image_width: int = 1200,
    hostname: str | None = None,
    port: int | None = None,
    stories: Sequence[Story] | None = None,
) -> DemoSummary:
    """Create the editions (if needed), their sections, the staff and the demo's stories, and
    a week of synthetic readers for the "Most viewed" rails.

    `stories` loads only some of them (related links and top stories to the others are left
    out); by default, all. `hostname` and `port` are the site's if it is created now; an
    existing site keeps its own (`run.py demo 8101` sets them before loading).
    """
    editions = services.editions_setup(hostname=hostname, port=port)
    services.roles_setup(editions=editions)
    builder = _DemoBuilder(
        editions=editions,
        stories=STORIES if stories is None else stories,
        now=now or timezone.now(),
        image_width=image_width,
    )
    # Each save of a page, and of each of its bylines, tags and links, would index the page's
    # references again (a task each): index every object once, at the end, instead.
    with disable_reference_index_auto_update():
        summary = builder.build()
    builder.references_index()
    summary.views = builder.views_simulate()
    return summary


def _provisional_slug_replace(page, slug: str) -> None:
    """Give a fresh, never published translation its own slug.

    copy_for_translation keeps the original's slug. Changing it with save() would make Wagtail
    record a redirect from that provisional URL, which no reader has ever seen.
    """
    page.slug = slug
    page.url_path = f"{page.get_parent().url_path}{slug}/"
    type(page).objects.filter(pk=page.pk).update(slug=page.slug, url_path=page.url_path)


class _DemoBuilder:
    def __init__(
        self,
        *,
        editions: list[EditionPage],
        stories: Sequence[Story],
        now: datetime,
        image_width: int,
    ) -> None:
        self.stories = stories
        self.now = now
        self.image_width = image_width
        self.homes = {home.locale.language_code.lower(): home for home in editions}
        missing = {EN, ES} - set(self.homes)
        if missing:
            raise ValueError(f"The demo needs the editions {sorted(missing)} in settings.")
        self.locales = {code: Locale.objects.get(language_code__iexact=code) for code in (EN, ES)}
        self.sections: dict[tuple[str, str], SectionPage] = {}
        self.authors: dict[str, Author] = {}
        self.tags: dict[str, Tag] = {}
        self.images: dict[str, object] = {}
        self.pages: dict[tuple[str, str], ArticlePage] = {}
        self.collection: Collection | None = None
        self.top_story_counts: dict[str, int] = {}

    def build(self) -> DemoSummary:
        self._collection_ensure()
        self._sections_ensure()
        self._authors_ensure()
        for language in (EN, ES):
            # All drafts of an edition first, so related links can point at any of them.
            stories = [story for story in self.stories if story.language == language]
            for story in stories:
                self.pages[(language, story.key)] = self._draft_create(story)
            for story in stories:
                self._publish(story)
        for story in self.stories:
            self._times_set(story)
        for language in (EN, ES):
            self._top_stories_set(language)
        return self._summary()

    def references_index(self) -> None:
        """What the admin's "usage" counts read: which pages and authors use which images and
        pages (see demo_content_load)."""
        objects = [
            *self.authors.values(),
            *self.sections.values(),
            *EditionPage.objects.filter(pk__in=[home.pk for home in self.homes.values()]),
            *ArticlePage.objects.filter(pk__in=[page.pk for page in self.pages.values()]),
        ]
        for obj in objects:
            ReferenceIndex.create_or_update_for_object(obj)

    # --- set-up -------------------------------------------------------------------------

    def _collection_ensure(self) -> None:
        self.collection = Collection.objects.filter(name=DEMO_COLLECTION).first()
        if self.collection is None:
            self.collection = Collection.get_first_root_node().add_child(name=DEMO_COLLECTION)

    def _sections_ensure(self) -> None:
        for spec in SECTIONS[EN]:
            self.sections[(EN, spec.key)] = services.section_ensure(
                edition=self.homes[EN], title=spec.title, slug=spec.slug, intro=spec.intro
            )
        for spec in SECTIONS[ES]:
            english = self.sections.get((EN, spec.key))
            if english is None:
                section = services.section_ensure(
                    edition=self.homes[ES], title=spec.title, slug=spec.slug, intro=spec.intro
                )
            else:
                section = self._section_translation_ensure(english, spec)
            self.sections[(ES, spec.key)] = section

    def _section_translation_ensure(self, english: SectionPage, spec: SectionSpec) -> SectionPage:
        """The Spanish section as the Wagtail translation of the English one.

        Wagtail puts a page's translation under the translation of its parent, so translating
        an article needs its section translated. A Spanish section made earlier on its own
        (by services.section_ensure) is adopted by giving it the English translation key.
        """
        locale = self.locales[ES]
        existing = english.get_translation_or_none(locale)
        if existing is not None:
            return existing.specific
        by_slug = SectionPage.objects.child_of(self.homes[ES]).filter(slug=spec.slug).first()
        if by_slug is not None:
            SectionPage.objects.filter(pk=by_slug.pk).update(
                translation_key=english.translation_key
            )
            by_slug.refresh_from_db()
            return by_slug
        section = english.copy_for_translation(locale)
        _provisional_slug_replace(section, spec.slug)
        section.title = spec.title
        section.draft_title = spec.title
        section.intro = spec.intro
        section.save_revision().publish()
        return section

    def _authors_ensure(self) -> None:
        for spec in people.AUTHORS:
            author, _created = Author.objects.get_or_create(
                slug=spec.slug, defaults={"name": spec.name, "role": spec.role, "bio": spec.bio}
            )
            if author.photo_id is None:
                size = max(64, self.image_width // 3)
                data = images.portrait_png(name=spec.name, seed=spec.slug, size=size)
                author.photo = self._image_save(
                    title=spec.name, filename=spec.slug, data=data, extension="png"
                )
                author.save(update_fields=["photo"])
            self.authors[spec.slug] = author

    # --- images and tags ----------------------------------------------------------------

    def _image_save(self, *, title: str, filename: str, data: bytes, extension: str):
        image = get_image_model()(
            title=title[:255],
            collection=self.collection,
            file=ImageFile(io.BytesIO(data), name=f"demo-{filename}.{extension}"),
        )
        # What Wagtail's upload form does: size and hash, used by the duplicate check.
        image._set_image_file_metadata()
        image.save()
        return image

    def _picture(self, *, seed: str, picture: Picture):
        # A translation shows the same pictures as its original, with its own captions.
        if seed not in self.images:
            data = images.scene_jpeg(motif=picture.motif, seed=seed, width=self.image_width)
            filename = seed.replace(":", "-")
            self.images[seed] = self._image_save(
                title=picture.caption, filename=filename, data=data, extension="jpg"
            )
        return self.images[seed]

    def _tag(self, spec: TagSpec) -> Tag:
        if spec.name not in self.tags:
            tag = Tag.objects.filter(name__iexact=spec.name).first()
            if tag is None:
                tag = Tag.objects.create(name=spec.name, kind=spec.kind)
            self.tags[spec.name] = tag
        return self.tags[spec.name]

    # --- articles -----------------------------------------------------------------------

    def _draft_create(self, story: Story) -> ArticlePage:
        source = self.pages.get((EN, story.key)) if story.language != EN else None
        if source is not None:
            page = source.copy_for_translation(self.locales[story.language])
            _provisional_slug_replace(page, story.slug)
            if page.get_parent().pk != self.sections[(story.language, story.section)].pk:
                raise ValueError(f"Story {story.key}: its translation belongs in another section.")
        else:
            page = ArticlePage(
                translation_key=story_translation_key(story.key),
                locale=self.locales[story.language],
                live=False,
            )
        page.title = story.headline
        page.draft_title = story.headline
        page.slug = story.slug
        page.standfirst = story.standfirst
        page.dateline = story.dateline
        page.access_level = story.access
        page.correction_note = story.correction
        page.lead_image = self._picture(seed=f"{story.key}:lead", picture=story.lead)
        page.lead_image_caption = story.lead.caption
        page.lead_image_credit = story.lead.credit
        # The body's related card needs the related pages, which may not exist yet.
        page.body = self._body(story, related=[])
        page.article_authors = [
            ArticleAuthor(author=self.authors[slug], sort_order=order)
            for order, slug in enumerate(story.authors)
        ]
        page.tags.set([self._tag(spec) for spec in story.tags])
        if page.pk is None:
            # Fresh from the database: translations are added to the section through other
            # instances, and treebeard places a new child by the parent's child count.
            section = SectionPage.objects.get(pk=self.sections[(story.language, story.section)].pk)
            section.add_child(instance=page)
        # A translation's copy is saved with everything else when it is published.
        return page

    def _publish(self, story: Story) -> None:
        page = self.pages[(story.language, story.key)]
        related = [
            self.pages[(story.language, key)]
            for key in story.related
            if (story.language, key) in self.pages
        ]
        page.related_links = [
            RelatedArticle(article=article, sort_order=order)
            for order, article in enumerate(related)
        ]
        page.body = self._body(story, related=related)
        page.save_revision().publish()

    def _body(self, story: Story, *, related: list[ArticlePage]) -> list[tuple[str, object]]:
        body: list[tuple[str, object]] = []
        for index, block in enumerate(story.body):
            item = self._block(story, index, block, related)
            if item is not None:
                body.append(item)
        return body

    def _block(
        self, story: Story, index: int, block: Block, related: list[ArticlePage]
    ) -> tuple[str, object] | None:
        if isinstance(block, Paragraph):
            return ("paragraph", block.html)
        if isinstance(block, Subhead):
            return ("subhead", block.text)
        if isinstance(block, PullQuote):
            return ("pull_quote", {"quote": block.quote, "attribution": block.attribution})
        if isinstance(block, Picture):
            image = self._picture(seed=f"{story.key}:{index}", picture=block)
            return ("image", {"image": image, "caption": block.caption, "credit": block.credit})
        if isinstance(block, RelatedCard):
            return ("related_card", {"article": related[0]}) if related else None
        raise TypeError(f"Unknown demo block {block!r}")

    def _times_set(self, story: Story) -> None:
        """Spread publication over the last days (publishing just now stamped them all alike)."""
        page = self.pages[(story.language, story.key)]
        first = self.now - timedelta(hours=story.hours_ago)
        last = first + timedelta(hours=story.updated_after_hours)
        ArticlePage.objects.filter(pk=page.pk).update(
            first_published_at=first,
            last_published_at=last,
            latest_revision_created_at=last,
            corrected_at=last if story.correction else None,
        )

    def _top_stories_set(self, language: str) -> None:
        # A fresh copy: publishing writes the instance's tree fields back, and the one from
        # editions_setup still counts the children it had before the sections were added.
        home = EditionPage.objects.get(pk=self.homes[language].pk)
        picks = [
            self.pages[(language, key)]
            for key in TOP_STORIES[language]
            if (language, key) in self.pages
        ]
        home.top_stories = [
            EditionTopStory(article=article, sort_order=order)
            for order, article in enumerate(picks)
        ]
        self.top_story_counts[language] = len(picks)
        home.save_revision().publish()

    # --- readers ------------------------------------------------------------------------

    def views_simulate(self) -> int:
        """Synthetic readers, counted as real ones are (audience.services.hit_record): each
        article is read from its publication until now, half of its readers in the last day,
        the top stories most. Returns how many views were counted."""
        counted = 0
        top = {(language, key) for language in (EN, ES) for key in TOP_STORIES[language]}
        for story in self.stories:
            language = story.language
            page = self.pages[(language, story.key)]
            # Seeded by the story: the same rails on every machine and every run.
            story_random = random.Random(f"views:{language}:{story.key}")  # noqa: S311
            views = story_random.randint(8, 40) * (3 if (language, story.key) in top else 1)
            age_hours = max(1.0, float(story.hours_ago))
            for number in range(views):
                recent = number % 2 == 0
                hours_ago = story_random.uniform(0, min(age_hours, 24.0 if recent else 7 * 24.0))
                hit = Hit(
                    article_id=page.pk,
                    edition=language,
                    at=self.now - timedelta(hours=hours_ago),
                    reader_key=f"demo-{page.pk}-{number}",
                    kind=Kind.VIEW,
                    source=story_random.choice(list(Source)),
                )
                counted += int(audience_services.hit_record(hit=hit))
        # What cron's tick does every minute: with Redis, the views are copied to the history
        # at once, so the rails survive a Redis flush (the store is restored from it).
        audience_services.audience_tick(now=self.now)
        return counted

    def _summary(self) -> DemoSummary:
        summary = DemoSummary(
            authors=len(self.authors),
            images=len(self.images) + len(self.authors),
            tags=len(self.tags),
        )
        for language in (EN, ES):
            summary.articles[language] = sum(1 for lang, _key in self.pages if lang == language)
            summary.sections[language] = sum(1 for lang, _key in self.sections if lang == language)
            summary.top_stories[language] = self.top_story_counts.get(language, 0)
        summary.translations = sum(
            1 for lang, key in self.pages if lang != EN and (EN, key) in self.pages
        )
        return summary
