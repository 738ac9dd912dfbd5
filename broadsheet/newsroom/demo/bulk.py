"""Many synthetic articles at once, written straight into the tables (generate_articles).

Publishing through Wagtail costs tens of milliseconds an article (a revision, signals, the
search and reference indexes, a tree lock), which is hours for 100,000. Here each batch is one
transaction of a few executemany INSERTs, with the tree's materialized paths computed here:

- wagtailcore_page rows, each with the next free path under its section; their ids are then
  read back by path (each section's new children are one contiguous run of paths), since a
  plain executemany does not return them and Django's bulk_create refuses multi-table
  inherited models such as ArticlePage;
- the newsroom_articlepage rows of those ids, then bylines and tags;
- the sections' numchild, in the same transaction, so that an interrupted run leaves a valid
  tree;
- the search index entries of the batch, through the search backend's own bulk `add_bulk`
  (one INSERT for the batch on PostgreSQL), so the articles are searchable as editors' are.

On PostgreSQL the rows go in with COPY, which is what makes a million articles a matter of
minutes: a row per INSERT statement, even pipelined, was about 1,000 articles a second.

What is left out, on purpose: revisions (a live page without one is valid, like a page loaded
from a fixture; the first edit in the admin creates one) and Wagtail's reference index.
"""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import connection, transaction
from django.db.models import F, Max
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.models import Collection, Page
from wagtail.search import index
from wagtail.search.backends import get_search_backends

from broadsheet.newsroom import services
from broadsheet.newsroom.models import (
    AccessLevel,
    ArticleAuthor,
    ArticlePage,
    ArticleTag,
    Author,
    EditionPage,
    SectionPage,
    Tag,
)

from . import images, stories_en, stories_es

# Wagtail's Page tree: treebeard MP_Node with these settings (see wagtail.models.Page).
PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PATH_STEPLEN = 4
GENERATED_COLLECTION = "Generated content"
IMAGE_POOL_SIZE = 8


def path_step(number: int) -> str:
    """The treebeard path segment of the number-th child (1-based): 1 -> "0001"."""
    if not 0 < number < len(PATH_ALPHABET) ** PATH_STEPLEN:
        raise ValueError(f"A Wagtail page cannot have a child number {number}.")
    digits = ""
    while number:
        number, remainder = divmod(number, len(PATH_ALPHABET))
        digits = PATH_ALPHABET[remainder] + digits
    return digits.rjust(PATH_STEPLEN, PATH_ALPHABET[0])


def path_number(step: str) -> int:
    # int() reads base 36 with the same digits and letters as PATH_ALPHABET.
    return int(step, len(PATH_ALPHABET))


@dataclass(frozen=True)
class _Words:
    subjects: tuple[str, ...]
    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    places: tuple[str, ...]
    headline: str  # a format string with subject, place, verb, object
    sentences: tuple[str, ...]  # format strings with the same names, plus day and number
    subheads: tuple[str, ...]
    days: tuple[str, ...]
    topics: tuple[str, ...]
    people: tuple[str, ...]
    organisations: tuple[str, ...]


ENGLISH = _Words(
    subjects=(
        "City council",
        "The water district",
        "The transit agency",
        "The school board",
        "The hospital board",
        "The port authority",
        "The farm bureau",
        "The museum board",
        "The parks department",
        "A housing coalition",
        "The county commission",
        "The chamber of commerce",
        "The planning commission",
        "The library board",
        "A neighborhood association",
        "The fire department",
    ),
    verbs=(
        "approves",
        "delays",
        "debates",
        "rejects",
        "expands",
        "reviews",
        "trims",
        "backs",
        "questions",
        "extends",
        "revisits",
        "funds",
    ),
    objects=(
        "new bus routes",
        "longer library hours",
        "the harbor dredging plan",
        "a pilot for night clinics",
        "rules on short-term rentals",
        "bridge repairs",
        "a plan for bike lanes",
        "a new water rate",
        "summer school places",
        "a tree-planting program",
        "a cap on parking fees",
        "the riverfront park design",
        "a study of flood defenses",
        "more affordable housing",
        "grants for local shops",
        "a new recycling contract",
        "broadband for rural homes",
        "the stadium lease",
    ),
    places=(
        "Port Ashby",
        "Millford",
        "Cedar Bend",
        "Harlow",
        "Eastgate",
        "Northfield",
        "Linden Valley",
        "Brookhaven",
        "Stonebridge",
        "Marlow Point",
        "Fairhaven",
        "Oak Ridge",
    ),
    headline="{subject} in {place} {verb} {object}",
    sentences=(
        "{subject} in {place} said on {day} that {object} would be decided within {number} weeks.",
        "The proposal drew {number} public comments, most of them from residents of {place}.",
        "Supporters argued that the plan would pay for itself within a decade.",
        "Critics said the cost, about ${number} million, had not been explained clearly.",
        "A final vote is expected after a second hearing next month.",
        "Officials in {place} said they had studied similar plans in {number} other cities.",
        "The budget office estimated that {object} would need {number} new staff.",
        "Several speakers asked for more time to read the documents.",
        "{subject} held three workshops before publishing the draft.",
        "Residents can send written comments until the end of the month.",
        "The plan follows a survey in which {number} percent of residents asked for change.",
        "None of the members who spoke on {day} said they would vote against it.",
    ),
    subheads=("What happens next", "The cost", "What residents said", "Background", "The vote"),
    days=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    topics=(
        "Transport",
        "Housing",
        "Education",
        "Health",
        "Water",
        "Parks",
        "Budgets",
        "Energy",
        "Jobs",
        "Safety",
        "Libraries",
        "Weather",
        "Farming",
        "Trade",
        "Arts",
        "Science",
    ),
    people=(
        "Maya Brenner",
        "Curtis Hale",
        "Joanna Reyes",
        "Victor Amsel",
        "Lydia Park",
        "Gordon Kim",
        "Ruth Calloway",
        "Ibrahim Sayed",
        "Nora Fitch",
        "Peter Lindahl",
        "Hazel Monroe",
        "Oscar Delaney",
    ),
    organisations=(
        "Ashby Community Foundation",
        "Linden Farm Bureau",
        "Harlow Chamber of Commerce",
        "Millford Tenants Union",
        "Northfield Hospital",
        "Eastgate Arts Council",
    ),
)

SPANISH = _Words(
    subjects=(
        "El Ayuntamiento",
        "La concejalía de Urbanismo",
        "La comunidad de regantes",
        "La junta de distrito",
        "El consorcio de transportes",
        "La diputación",
        "La asociación de comerciantes",
        "El hospital comarcal",
        "La mancomunidad",
        "La federación vecinal",
        "La universidad",
        "El museo municipal",
    ),
    verbs=(
        "aprueba",
        "aplaza",
        "debate",
        "rechaza",
        "amplía",
        "revisa",
        "recorta",
        "respalda",
        "estudia",
        "prorroga",
    ),
    objects=(
        "nuevas líneas de autobús",
        "el horario de las bibliotecas",
        "el plan de carriles bici",
        "una tasa por el agua",
        "la reforma del mercado",
        "ayudas al pequeño comercio",
        "la limpieza del cauce",
        "un plan de vivienda asequible",
        "la ampliación del parque",
        "un estudio sobre inundaciones",
        "la fibra óptica en los pueblos",
        "el nuevo polideportivo",
        "el contrato de recogida de basuras",
        "más plazas de guardería",
    ),
    places=(
        "Valdemora",
        "Campodeza",
        "Fuentelsaz",
        "Olmedilla",
        "Villarejo",
        "San Lorenzo",
        "Peñarrubia",
        "Torrealba",
        "La Vega",
        "Almenara",
    ),
    headline="{subject} de {place} {verb} {object}",
    sentences=(
        "{subject} de {place} anunció el {day} que decidirá sobre {object} en {number} semanas.",
        "La propuesta recibió {number} alegaciones, la mayoría de vecinos de {place}.",
        "Sus defensores creen que la inversión se amortizará en menos de diez años.",
        "Los críticos señalan que el coste, unos {number} millones de euros, no está justificado.",
        "La votación definitiva se espera para el próximo pleno.",
        "Los técnicos de {place} estudiaron planes parecidos en {number} ciudades.",
        "Según el informe económico, el proyecto exigirá contratar a {number} personas.",
        "Varios portavoces pidieron más tiempo para estudiar la documentación.",
        "Los vecinos pueden presentar alegaciones hasta final de mes.",
        "El {number} % de los encuestados pidió cambios en una consulta previa.",
    ),
    subheads=("Qué pasa ahora", "El coste", "Lo que dicen los vecinos", "Antecedentes"),
    days=("lunes", "martes", "miércoles", "jueves", "viernes"),
    topics=(
        "Transporte",
        "Vivienda",
        "Educación",
        "Sanidad",
        "Agua",
        "Parques",
        "Presupuestos",
        "Energía",
        "Empleo",
        "Seguridad",
        "Bibliotecas",
        "Meteorología",
        "Campo",
        "Comercio",
    ),
    people=(
        "Marta Iriarte",
        "Joaquín Sendra",
        "Beatriz Llorente",
        "Ramón Cuesta",
        "Elisa Montero",
        "Hugo Carrasco",
        "Nuria Peñalver",
        "Diego Ocaña",
        "Sofía Arenas",
        "Pablo Requena",
    ),
    organisations=(
        "Cámara de Comercio de Valdemora",
        "Asociación de Vecinos de San Lorenzo",
        "Comunidad de Regantes de La Vega",
        "Hospital Comarcal de Torrealba",
    ),
)

# Bylines of generated articles: invented names, apart from the demo's staff.
GENERATED_AUTHORS = (
    "Robin Ashcroft",
    "Teresa Villanueva",
    "Colin Okoro",
    "Amelia Strand",
    "Rafael Duarte",
    "Hannah Weiss",
    "Kofi Mensah",
    "Laura Benedetti",
    "Martin Salo",
    "Clara Domingo",
    "Yusuf Arslan",
    "Irene Castell",
)


def _words_for(language_code: str) -> _Words:
    return SPANISH if language_code.lower().startswith("es") else ENGLISH


def _default_sections(language_code: str):
    return stories_es.SECTIONS if language_code.lower().startswith("es") else stories_en.SECTIONS


@dataclass
class GenerateResult:
    created: int
    sections: int
    seconds: float


class _TextPool:
    """Headlines, standfirsts and paragraphs made once from the word lists, then picked from:
    building fresh text for each of 100,000 articles would cost more than inserting them."""

    def __init__(self, words: _Words, rng: random.Random, size: int = 600) -> None:
        self.words = words
        self.rng = rng
        self.paragraphs = [self._paragraph() for _ in range(size)]
        self.standfirsts = [self._sentence() + " " + self._sentence() for _ in range(size)]

    def _fill(self, template: str) -> str:
        words, rng = self.words, self.rng
        return template.format(
            subject=rng.choice(words.subjects),
            verb=rng.choice(words.verbs),
            object=rng.choice(words.objects),
            place=rng.choice(words.places),
            day=rng.choice(words.days),
            number=rng.randint(2, 90),
        )

    def _sentence(self) -> str:
        return self._fill(self.rng.choice(self.words.sentences))

    def _paragraph(self) -> str:
        return "<p>" + " ".join(self._sentence() for _ in range(self.rng.randint(3, 5))) + "</p>"

    def headline(self) -> tuple[str, str]:
        words, rng = self.words, self.rng
        place = rng.choice(words.places)
        text = words.headline.format(
            subject=rng.choice(words.subjects),
            place=place,
            verb=rng.choice(words.verbs),
            object=rng.choice(words.objects),
        )
        return text, place

    def body(self) -> list[dict]:
        rng = self.rng
        blocks = [
            {"type": "paragraph", "value": p, "id": str(uuid.uuid4())}
            for p in rng.sample(self.paragraphs, rng.randint(4, 7))
        ]
        blocks.insert(
            2,
            {"type": "subhead", "value": rng.choice(self.words.subheads), "id": str(uuid.uuid4())},
        )
        return blocks


def articles_generate(
    *,
    count: int,
    language_code: str = "en-us",
    batch_size: int = 5000,
    days: int = 730,
    seed: int = 1,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> GenerateResult:
    """Add `count` live articles to the edition's sections, spread over the last `days`."""
    started = timezone.now()
    now = now or started
    edition = (
        EditionPage.objects.filter(locale__language_code__iexact=language_code, depth=2)
        .select_related("locale")
        .first()
    )
    if edition is None:
        raise ValueError(
            f"There is no edition for {language_code!r}: run `manage.py setup_newsroom` first."
        )
    # Live sections only: an article under an unpublished section would not be served.
    sections = list(SectionPage.objects.child_of(edition).live().order_by("path"))
    if not sections:
        for spec in _default_sections(language_code):
            services.section_ensure(
                edition=edition, title=spec.title, slug=spec.slug, intro=spec.intro
            )
        sections = list(SectionPage.objects.child_of(edition).live().order_by("path"))
    if not sections:
        raise ValueError(f"The {language_code} edition has no published section to fill.")
    # Not for security: a seeded generator so that two runs make the same kind of archive.
    rng = random.Random(seed)  # noqa: S311
    words = _words_for(language_code)
    generator = _Generator(
        edition=edition,
        sections=sections,
        words=words,
        text=_TextPool(words, rng),
        rng=rng,
        tags=_tags_ensure(words),
        authors=_authors_ensure(),
        images=_image_pool_ensure(),
    )
    span = timedelta(days=days)
    created = 0
    while created < count:
        size = min(batch_size, count - created)
        # Oldest first: the i-th article of the run is published at start + i * span / count.
        times = [now - span + span * (created + i + rng.random()) / count for i in range(size)]
        generator.batch_insert(times)
        created += size
        if progress:
            progress(created)
    if connection.vendor == "postgresql":
        _title_norms_refresh()
    _analyze_tables()
    _purge_after_commit(edition.locale.language_code)
    return GenerateResult(
        created=created,
        sections=len(sections),
        seconds=(timezone.now() - started).total_seconds(),
    )


def _tags_ensure(words: _Words) -> list[Tag]:
    wanted = (
        [(name, "topic") for name in words.topics]
        + [(name, "place") for name in words.places]
        + [(name, "person") for name in words.people]
        + [(name, "organisation") for name in words.organisations]
    )
    tags = []
    for name, kind in wanted:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, kind=kind)
        tags.append(tag)
    return tags


def _authors_ensure() -> list[Author]:
    return [
        Author.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "role": "Staff writer"}
        )[0]
        for name in GENERATED_AUTHORS
    ]


def _image_pool_ensure() -> list:
    """A few drawn pictures shared by the generated articles, so their pages show a lead
    image like real ones (renditions are made once per picture and size)."""
    image_model = get_image_model()
    collection = Collection.objects.filter(name=GENERATED_COLLECTION).first()
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=GENERATED_COLLECTION)
    pool = list(image_model.objects.filter(collection=collection).order_by("pk"))
    motifs = list(images.MOTIFS)
    for number in range(len(pool), IMAGE_POOL_SIZE):
        motif = motifs[number % len(motifs)]
        data = images.scene_jpeg(motif=motif, seed=f"generated:{number}", width=960)
        image = image_model(
            title=f"Generated picture {number + 1}",
            collection=collection,
            file=ImageFile(io.BytesIO(data), name=f"generated-{number + 1}.jpg"),
        )
        image._set_image_file_metadata()
        image.save()
        pool.append(image)
    return pool


def _purge_after_commit(language_code: str) -> None:
    from broadsheet.pagecache.services import page_cache_purge

    scope = language_code.lower()
    transaction.on_commit(lambda: page_cache_purge(scopes=[scope]))


class _RowInserter:
    """Many rows into one table at once, bypassing model instances.

    Every concrete column is written: the given values, else the field's default (so a column
    added to Page by a later Wagtail gets its default too). Values that the database driver
    cannot take as they are (datetimes, UUIDs, JSON) are prepared by the field, as Django would
    for SQLite or PostgreSQL.

    PostgreSQL takes them with COPY (one command for the whole batch); SQLite with executemany,
    whose loop runs in C. On PostgreSQL, executemany (pipelined) was five times slower than
    COPY and multi-row VALUES statements slower still.
    """

    CONVERTED = frozenset({"DateTimeField", "UUIDField", "JSONField"})

    def __init__(self, model, fields) -> None:
        # The database numbers the rows itself.
        self.fields = [field for field in fields if not isinstance(field, AutoFieldMixin)]
        self.convert = [field.get_internal_type() in self.CONVERTED for field in self.fields]
        quote = connection.ops.quote_name
        # Only table and column names from the models go into the SQL; values are parameters.
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(field.column) for field in self.fields)
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            table, columns, ", ".join(["%s"] * len(self.fields))
        )
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"

    def insert(self, rows: list[dict]) -> None:
        prepared = []
        for row in rows:
            values = []
            for field, convert in zip(self.fields, self.convert, strict=True):
                value = row[field.attname] if field.attname in row else field.get_default()
                if convert and value is not None:
                    value = field.get_db_prep_save(value, connection)
                values.append(value)
            prepared.append(values)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Django's cursor wrapper does not pass copy() through; psycopg's cursor does.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for values in prepared:
                        copy.write_row(values)
            else:
                cursor.executemany(self.sql, prepared)


class _Generator:
    def __init__(self, *, edition, sections, words, text, rng, tags, authors, images) -> None:
        self.edition = edition
        self.section_ids = [section.pk for section in sections]
        self.words = words
        self.text = text
        self.rng = rng
        self.tags = tags
        # A few tags are used far more than others, as in a real archive.
        self.tag_weights = [1 / (rank + 1) for rank in range(len(tags))]
        self.place_tags = {tag.name: tag for tag in tags if tag.kind == "place"}
        self.authors = authors
        self.images = images
        self.content_type_id = ContentType.objects.get_for_model(ArticlePage).pk
        self.pages = _RowInserter(Page, Page._meta.concrete_fields)
        self.articles = _RowInserter(ArticlePage, ArticlePage._meta.local_concrete_fields)
        self.bylines = _RowInserter(ArticleAuthor, ArticleAuthor._meta.concrete_fields)
        self.tagged = _RowInserter(ArticleTag, ArticleTag._meta.concrete_fields)
        if connection.vendor == "postgresql":
            self.search_index = _PostgresSearchIndexer(
                language_code=edition.locale.language_code, tags=tags
            )
        # Slugs already taken in each section: only an editor's page could clash with a
        # generated one (see _article), and this is how it is noticed.
        self.sibling_slugs = {
            section.pk: set(
                Page.objects.filter(
                    path__startswith=section.path, depth=section.depth + 1
                ).values_list("slug", flat=True)
            )
            for section in sections
        }

    @transaction.atomic
    def batch_insert(self, times: list[datetime]) -> None:
        # Lock the sections (PostgreSQL; SQLite's write transaction locks the whole file) so
        # that an editor adding an article meanwhile cannot take the same path.
        sections = list(
            Page.objects.select_for_update().filter(pk__in=self.section_ids).order_by("pk")
        )
        first_number = {section.pk: self._last_child_number(section) + 1 for section in sections}
        next_number = dict(first_number)
        pages, articles = [], []
        for published_at in times:
            section = self.rng.choice(sections)
            page, article = self._article(section, next_number[section.pk], published_at)
            next_number[section.pk] += 1
            pages.append(page)
            articles.append(article)
        self.pages.insert(pages)
        ids = self._ids_by_path(sections, first_number, next_number)
        for page, article in zip(pages, articles, strict=True):
            article["page_ptr_id"] = ids[page["path"]]
        self.articles.insert(articles)
        tag_ids = self._bylines_and_tags_insert(articles)
        if connection.vendor == "postgresql":
            self.search_index.insert(pages, articles, tag_ids)
        else:
            _search_index_add_through_backend([article["page_ptr_id"] for article in articles])
        for section in sections:
            added = next_number[section.pk] - first_number[section.pk]
            if added:
                Page.objects.filter(pk=section.pk).update(numchild=F("numchild") + added)

    @staticmethod
    def _last_child_number(section: Page) -> int:
        last_path = Page.objects.filter(
            path__startswith=section.path, depth=section.depth + 1
        ).aggregate(last=Max("path"))["last"]
        return path_number(last_path[-PATH_STEPLEN:]) if last_path else 0

    @staticmethod
    def _ids_by_path(sections, first_number, next_number) -> dict[str, int]:
        """The new pages' ids: each section's new children are one contiguous run of paths."""
        ids = {}
        for section in sections:
            if next_number[section.pk] == first_number[section.pk]:
                continue
            ids.update(
                Page.objects.filter(
                    depth=section.depth + 1,
                    path__gte=section.path + path_step(first_number[section.pk]),
                    path__lte=section.path + path_step(next_number[section.pk] - 1),
                ).values_list("path", "id")
            )
        return ids

    def _article(self, section, number, published_at) -> tuple[dict, dict]:
        rng = self.rng
        title, place = self.text.headline()
        step = path_step(number)
        # Ending the slug in the page's own path step keeps generated slugs apart; only an
        # editor's page with that very slug could clash, and then a suffix settles it.
        slug = f"{slugify(title)[:80].rstrip('-')}-{step.lower()}"
        siblings = self.sibling_slugs[section.pk]
        if slug in siblings:
            slug = f"{slug}-{uuid.uuid4().hex[:6]}"
        siblings.add(slug)
        # One in ten articles was updated a few hours after it first went out.
        updated_at = published_at
        if rng.random() < 0.1:
            updated_at = published_at + timedelta(hours=rng.uniform(1, 8))
        page = {
            "path": section.path + step,
            "depth": section.depth + 1,
            "numchild": 0,
            "translation_key": uuid.uuid4(),
            "locale_id": self.edition.locale_id,
            "live": True,
            "has_unpublished_changes": False,
            "first_published_at": published_at,
            "last_published_at": updated_at,
            "latest_revision_created_at": updated_at,
            "title": title,
            "draft_title": title,
            "slug": slug,
            "content_type_id": self.content_type_id,
            "url_path": f"{section.url_path}{slug}/",
            "show_in_menus": False,
        }
        access = rng.random()
        has_image = rng.random() < 0.7
        article = {
            "standfirst": rng.choice(self.text.standfirsts),
            "dateline": place.upper(),
            "lead_image_id": self.images[rng.randrange(len(self.images))].pk if has_image else None,
            "lead_image_caption": title if has_image else "",
            "lead_image_credit": "Broadsheet" if has_image else "",
            "body": self.text.body(),
            "access_level": (
                AccessLevel.FREE
                if access < 0.35
                else AccessLevel.METERED
                if access < 0.85
                else AccessLevel.SUBSCRIBERS
            ).value,
            "place": place,
        }
        return page, article

    def _bylines_and_tags_insert(self, articles) -> list[list[int]]:
        rng = self.rng
        bylines: list = []
        tagged: list = []
        tag_ids: list = []
        for article in articles:
            page_id = article["page_ptr_id"]
            for order, author in enumerate(rng.sample(self.authors, rng.choice((1, 1, 1, 2)))):
                bylines.append({"page_id": page_id, "author_id": author.pk, "sort_order": order})
            place_tag = self.place_tags.get(article["place"])
            chosen = {place_tag.pk} if place_tag else set()
            while len(chosen) < 3:
                chosen.add(rng.choices(self.tags, weights=self.tag_weights)[0].pk)
            # In the order of the rows, which is the order the backend reads them back in.
            ordered = list(chosen)
            tagged.extend({"content_object_id": page_id, "tag_id": tag_id} for tag_id in ordered)
            tag_ids.append(ordered)
        self.bylines.insert(bylines)
        self.tagged.insert(tagged)
        return tag_ids


def _search_index_add_through_backend(ids: list[int]) -> None:
    """Index a batch as Wagtail indexes a page on publishing it, through the search backend's
    own bulk call (SQLite; a few milliseconds an article, which a million cannot afford)."""
    objs = list(
        ArticlePage.objects.filter(pk__in=ids)
        .select_related("locale")
        .prefetch_related("tags")
        .order_by("pk")
    )
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(ArticlePage, objs)


class _PostgresSearchIndexer:
    """The search index entries of generated articles, written by one INSERT ... SELECT a
    batch, with PostgreSQL making the vectors.

    The backend (modelsearch's PostgresIndex, through newsroom.search_backend) builds an ORM
    expression per field of every object and reads the StreamField back through its blocks:
    about 5 ms an article. The generator already holds every text an article is searched by,
    so it hands them over as they are: the same entry, field for field (the title vector
    weighted as Page's title boost, the body vector from the same text as `body_text`, in the
    edition's text search configuration), which test_demo_content checks against the backend.
    The only difference is in word positions, which the backend counts across field
    boundaries separately.
    """

    def __init__(self, *, language_code: str, tags: list[Tag]) -> None:
        from modelsearch.backends.database.postgres.weights import get_weight

        from broadsheet.newsroom.search_backend import postgres_config_for_language

        self.config = postgres_config_for_language(language_code)
        title_field = next(
            field
            for field in ArticlePage.get_search_fields()
            if isinstance(field, index.SearchField) and field.field_name == "title"
        )
        self.title_weight = get_weight(title_field.boost)
        self.body_weight = get_weight(None)
        self.content_type_id = ContentType.objects.get_for_model(ArticlePage).pk
        self.tag_names = {tag.pk: tag.name for tag in tags}
        self.body_block = ArticlePage._meta.get_field("body").stream_block
        # Generated bodies are drawn from a small pool of paragraphs: each is read once.
        self.block_text: dict[tuple[str, str], str] = {}

    def _block_text(self, block_type: str, value: str) -> str:
        key = (block_type, value)
        if key not in self.block_text:
            child = self.body_block.child_blocks[block_type]
            self.block_text[key] = ", ".join(child.get_searchable_content(child.to_python(value)))
        return self.block_text[key]

    def body_text(self, article: dict, tag_ids: list[int]) -> str:
        """What the backend puts in `body_text`: ArticlePage's search fields after the title,
        in their order (standfirst, body blocks joined by ", ", dateline, then each tag)."""
        body = ", ".join(
            self._block_text(block["type"], block["value"]) for block in article["body"]
        )
        texts = [article["standfirst"], body, article["dateline"]]
        texts += [self.tag_names[tag_id] for tag_id in tag_ids]
        return " ".join(text.strip() for text in texts if text.strip())

    def insert(self, pages: list[dict], articles: list[dict], tag_ids: list[list[int]]) -> None:
        ids = [str(article["page_ptr_id"]) for article in articles]
        titles = [page["title"] for page in pages]
        bodies = [
            self.body_text(article, tags) for article, tags in zip(articles, tag_ids, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO wagtailsearch_indexentry
                    (content_type_id, object_id, title, autocomplete, body, title_norm,
                     title_text, body_text)
                SELECT %(content_type)s, entry.object_id,
                       setweight(to_tsvector(%(config)s::regconfig, entry.title), %(title_weight)s),
                       setweight(to_tsvector('simple'::regconfig, entry.title), 'D'),
                       setweight(to_tsvector(%(config)s::regconfig, entry.body), %(body_weight)s),
                       1.0, entry.title, entry.body
                FROM unnest(%(ids)s::text[], %(titles)s::text[], %(bodies)s::text[])
                    AS entry (object_id, title, body)
                ON CONFLICT (content_type_id, object_id) DO NOTHING
                """,
                {
                    "content_type": self.content_type_id,
                    "config": self.config,
                    "title_weight": self.title_weight,
                    "body_weight": self.body_weight,
                    "ids": ids,
                    "titles": titles,
                    "bodies": bodies,
                },
            )


def _title_norms_refresh() -> None:
    """The title length norms the backend keeps on every entry (new entries carry 1.0): set
    once after the run, not after every batch as the backend's add_items does (a scan of the
    whole index each time)."""
    for backend in get_search_backends(with_auto_update=True):
        search_index = backend.get_index_for_model(ArticlePage)
        if hasattr(search_index, "_refresh_title_norms"):
            with transaction.atomic():
                # One UPDATE of every new entry: at a million articles, minutes, past the
                # statement timeout that guards readers' pages (DB_STATEMENT_TIMEOUT_MS).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = 0")
                search_index._refresh_title_norms()


def _analyze_tables() -> None:
    """Give the query planner statistics for the rows just inserted.

    Until autovacuum gets to them, PostgreSQL plans "latest in this edition" as a full scan and
    sort; SQLite's planner likewise uses its stat tables.
    """
    tables = [
        "wagtailcore_page",
        "newsroom_articlepage",
        "newsroom_articletag",
        "newsroom_articleauthor",
        "wagtailsearch_indexentry",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(tables))
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
