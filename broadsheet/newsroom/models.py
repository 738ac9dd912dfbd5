from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import ItemBase, TagBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index

from broadsheet.access import rules as access_rules
from broadsheet.pagecache.members import mark_shareable_for_members

from .blocks import ArticleBodyBlock
from .forms import ArticlePageForm
from .panels import EditionCheckPanel

# An update within this time of the first publication is a fix, not news: no "Updated" line.
UPDATE_NOTICE_THRESHOLD = timedelta(minutes=5)


class AccessLevel(models.TextChoices):
    """The levels themselves are access's (access/rules.py); here, what editors read."""

    FREE = access_rules.FREE, _("Free")
    METERED = access_rules.METERED, _("Metered")
    SUBSCRIBERS = access_rules.SUBSCRIBERS, _("Subscribers only")


class TagKind(models.TextChoices):
    TOPIC = "topic", _("Topic")
    PERSON = "person", _("Person")
    PLACE = "place", _("Place")
    ORGANISATION = "organisation", _("Organisation")


class Tag(TagBase):
    """A tag of the "Archived In" list; its kind groups tags for editors and readers.

    A tag is an edition's (its `locale`: "Drought" is the US edition's, "Sequía" España's) or,
    without one, every edition's (a name such as "NATO" reads the same in both). `counterparts`
    are the same subject in the other editions: translating an article maps its tags to them.
    """

    kind = models.CharField(
        _("kind"), max_length=16, choices=TagKind.choices, default=TagKind.TOPIC
    )
    locale = models.ForeignKey(
        "wagtailcore.Locale",
        verbose_name=_("edition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty for a tag that every edition uses as it is."),
    )
    counterparts = models.ManyToManyField(
        "self",
        verbose_name=_("the same subject in other editions"),
        blank=True,
        symmetrical=True,
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("locale"),
        FieldPanel("counterparts", widget=forms.SelectMultiple),
    ]

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]


class ArticleTag(ItemBase):
    tag = models.ForeignKey(Tag, related_name="tagged_articles", on_delete=models.CASCADE)
    content_object = ParentalKey(
        "newsroom.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class Author(index.Indexed, models.Model):
    """A byline: an edition's own writer (`locale`) or, without one, a writer for every
    edition. An article's author list offers only the authors of its edition and the shared
    ones."""

    name = models.CharField(_("name"), max_length=120)
    locale = models.ForeignKey(
        "wagtailcore.Locale",
        verbose_name=_("edition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty for someone who writes for every edition."),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    role = models.CharField(_("role"), max_length=120, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("locale"),
        FieldPanel("role"),
        FieldPanel("bio"),
        FieldPanel("photo"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReaderPage(Page):
    """A page every reader sees alike (personal parts are holes): signed-in readers may share
    one cached copy of it (broadsheet/pagecache)."""

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        mark_shareable_for_members(request)
        return super().serve(request, *args, **kwargs)

    def get_view_restrictions(self):
        # Wagtail asks two queries of every page served (its ancestors and their aliases,
        # then the restrictions). A newsroom has none, or a few: while there are none at all,
        # a cache read says so.
        from . import selectors

        if not selectors.page_view_restrictions_exist():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class EditionPage(ReaderPage):
    """The home of one edition: editor-picked top stories, then the latest articles."""

    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", help_text=_("ISO 4217 code, e.g. USD, EUR.")
    )

    content_panels = Page.content_panels + [
        FieldPanel("tagline"),
        FieldPanel("currency"),
        InlinePanel("top_stories", label=_("Top stories"), max_num=12),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["newsroom.SectionPage"]

    class Meta:
        verbose_name = _("edition home")

    def clean(self) -> None:
        super().clean()
        if self.currency and (len(self.currency) != 3 or not self.currency.isalpha()):
            raise ValidationError({"currency": _("Use a three-letter ISO 4217 code.")})
        self.currency = self.currency.upper()

    def route(self, request, path_components):
        # An article's URL is /<section>/<article>/. Wagtail's generic walk costs a base Page
        # query and a .specific query per level. Here it is one query of the concrete table by
        # the article's slug and its url_path (which Wagtail keeps as the ancestors' slugs),
        # with what every article page shows of it (its locale and lead image) joined in; the
        # section comes from the edition's cached sections.
        if len(path_components) == 2:
            from . import selectors

            section_slug, article_slug = path_components
            article = (
                ArticlePage.objects.filter(
                    slug=article_slug,
                    url_path=f"{self.url_path}{section_slug}/{article_slug}/",
                    depth=self.depth + 2,
                    path__startswith=self.path,
                )
                .select_related("locale", "lead_image")
                .first()
            )
            if article is None:
                raise Http404
            section = selectors.section_of(
                article=article, edition=self, chrome=selectors.edition_chrome_for_request(request)
            )
            section._cached_parent_obj = self
            article._cached_parent_obj = section
            return article.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        top = selectors.edition_top_stories(edition=self)
        context["top_stories"] = top
        context["latest_page"] = selectors.paginate(
            request, selectors.article_list_latest(edition=self).exclude(pk__in=[a.pk for a in top])
        )
        return context


class EditionTopStory(Orderable):
    page = ParentalKey(EditionPage, related_name="top_stories", on_delete=models.CASCADE)
    article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("article")]


class SectionPage(ReaderPage):
    """A section front: its articles, newest first."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["newsroom.EditionPage"]
    subpage_types = ["newsroom.ArticlePage"]

    class Meta:
        verbose_name = _("section")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["latest_page"] = selectors.paginate(
            request, selectors.article_list_for_section(section=self)
        )
        return context


class ArticlePage(ReaderPage):
    """A news story. The headline is the page title."""

    standfirst = models.TextField(_("standfirst"), max_length=600)
    dateline = models.CharField(_("dateline"), max_length=80, blank=True)
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_image_caption = models.CharField(_("lead image caption"), max_length=300, blank=True)
    lead_image_credit = models.CharField(_("lead image credit"), max_length=120, blank=True)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)
    access_level = models.CharField(
        _("access level"),
        max_length=16,
        choices=AccessLevel.choices,
        default=AccessLevel.METERED,
        db_index=True,
    )
    correction_note = models.TextField(
        _("correction"), blank=True, help_text=_("Shown above the body when filled in.")
    )
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    tags = ClusterTaggableManager(through=ArticleTag, blank=True, verbose_name=_("tags"))

    content_panels = [EditionCheckPanel(heading=_("Not yet in this edition"))] + [
        *Page.content_panels,
        FieldPanel("standfirst"),
        InlinePanel("article_authors", label=_("Authors"), min_num=0),
        FieldPanel("dateline"),
        MultiFieldPanel(
            [
                FieldPanel("lead_image"),
                FieldPanel("lead_image_caption"),
                FieldPanel("lead_image_credit"),
            ],
            heading=_("Lead image"),
        ),
        FieldPanel("body"),
        FieldPanel("tags"),
        InlinePanel("related_links", label=_("Related articles"), max_num=6),
        MultiFieldPanel(
            [FieldPanel("correction_note"), FieldPanel("corrected_at")], heading=_("Correction")
        ),
    ]
    settings_panels = [FieldPanel("access_level")] + Page.settings_panels

    search_fields = Page.search_fields + [
        index.SearchField("standfirst"),
        index.SearchField("body"),
        index.SearchField("dateline"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("access_level"),
    ]

    parent_page_types = ["newsroom.SectionPage"]
    subpage_types: list[str] = []

    base_form_class = ArticlePageForm

    class Meta:
        verbose_name = _("article")

    def clean(self) -> None:
        super().clean()
        if self.corrected_at and not self.correction_note.strip():
            raise ValidationError({"correction_note": _("Say what was corrected.")})

    @property
    def headline(self) -> str:
        return self.title

    @property
    def show_updated(self) -> bool:
        if not self.first_published_at or not self.last_published_at:
            return False
        return self.last_published_at - self.first_published_at > UPDATE_NOTICE_THRESHOLD

    @property
    def is_accessible_for_free(self) -> bool:
        return access_rules.open_to_everyone(self.access_level)

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.article_page_context(article=self))
        return context


class ArticleAuthor(Orderable):
    page = ParentalKey(ArticlePage, related_name="article_authors", on_delete=models.CASCADE)
    author = models.ForeignKey(
        Author, verbose_name=_("author"), on_delete=models.CASCADE, related_name="bylines"
    )

    # A list of the edition's authors (ArticlePageForm narrows it), not the snippet chooser,
    # which would offer every edition's.
    panels = [FieldPanel("author", widget=forms.Select)]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "author"], name="one_byline_per_author")
        ]


class RelatedArticle(Orderable):
    page = ParentalKey(ArticlePage, related_name="related_links", on_delete=models.CASCADE)
    article = models.ForeignKey(
        ArticlePage, verbose_name=_("article"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("article")]

    def clean(self) -> None:
        super().clean()
        if self.page_id and self.article_id == self.page_id:
            raise ValidationError({"article": _("An article cannot be related to itself.")})
