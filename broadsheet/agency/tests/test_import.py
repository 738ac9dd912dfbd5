"""Each format's stories become drafts: new, updated, duplicate, older, with their bylines,
dateline, tags, images from the agency's own host and a link to the source."""

from __future__ import annotations

import pytest
from wagtail.images import get_image_model
from wagtail.models import PageLogEntry

from broadsheet.agency import services
from broadsheet.agency.models import ImportRun, Outcome, RunStatus, Story, Trigger
from broadsheet.newsroom.models import ArticlePage, Author
from broadsheet.newsroom.tests import factories

from . import samples

pytestmark = pytest.mark.django_db

KINDS = list(samples.WRITERS)


def import_(source, kind, stories, **kwargs):
    return services.document_import(
        source=source, data=samples.WRITERS[kind](stories), trigger=Trigger.UPLOAD, **kwargs
    )


def latest(page) -> ArticlePage:
    return ArticlePage.objects.get(pk=page.pk).get_latest_revision_as_object()


@pytest.mark.parametrize("kind", KINDS)
def test_new_stories_become_drafts_with_everything(kind, make_source, agency_server):
    source = make_source(samples.FORMAT_OF[kind])
    lead = agency_server.serve("/img/lead.png", samples.png(64, 48))
    second = agency_server.serve("/img/second.png", samples.png(32, 32, (200, 10, 10)))
    stories = [
        samples.Story(guid="urn:agency:1", images=[lead, second]),
        samples.Story(guid="urn:agency:2", headline="Rail strike called off", subjects=["Rail"]),
    ]

    run = import_(source, kind, stories)

    assert (run.status, run.created_count, run.failed_count) == (RunStatus.OK, 2, 0)
    pages = ArticlePage.objects.child_of(source.section).order_by("pk")
    assert [p.title for p in pages] == [
        "Dam levels fall to a ten-year low",
        "Rail strike called off",
    ]
    assert not any(p.live for p in pages)
    draft = latest(pages[0])
    assert draft.standfirst.startswith("Reservoirs across the basin hold less than a third")
    assert draft.dateline == "ZARAGOZA"
    assert [a.author.name for a in draft.article_authors.all()] == ["Ana Ruiz"]
    assert sorted(t.name for t in draft.tags.all()) == ["Agriculture", "Drought"]
    blocks = [(b.block_type, b.value) for b in draft.body]
    assert blocks[1] == ("subhead", "Farmers worry")
    assert "<b>less than a third</b>" in blocks[0][1].source
    assert blocks[2][0] == "paragraph" and "officials" in blocks[2][1].source
    assert draft.lead_image is not None and draft.lead_image.width == 64
    assert draft.lead_image_credit == "Agency photographer"
    assert draft.lead_image_caption == "Photo 1 of Dam levels fall to a ten-year low"
    image_block = next(b for b in draft.body if b.block_type == "image")
    assert image_block.value["image"].width == 32
    if kind != "ninjs1":  # ninjs 1.x carries no link to the story (test_parsers has its uri)
        source_line = draft.body[-1].value.source
        assert 'href="https://agency.example/stories/dam-levels"' in source_line
        assert "Source: " in source_line and "Agencia Prensa" in source_line
    assert PageLogEntry.objects.filter(page=pages[0], action="wagtail.create").exists()
    assert "?thumb" not in " ".join(agency_server.requests)


@pytest.mark.parametrize("kind", KINDS)
def test_a_newer_version_is_a_new_draft_revision(kind, make_source):
    source = make_source(samples.FORMAT_OF[kind])
    import_(source, kind, [samples.Story(guid="urn:agency:7")])
    page = ArticlePage.objects.get()
    revisions = page.revisions.count()

    run = import_(
        source,
        kind,
        [
            samples.Story(
                guid="urn:agency:7",
                headline="Dam levels fall to a twenty-year low",
                version=2,
                updated="2026-12-01T09:30:00+00:00",
                subjects=["Drought"],
            )
        ],
    )

    assert (run.created_count, run.updated_count) == (0, 1)
    assert ArticlePage.objects.count() == 1
    assert page.revisions.count() == revisions + 1
    draft = latest(page)
    assert draft.title == "Dam levels fall to a twenty-year low"
    assert [t.name for t in draft.tags.all()] == ["Drought"]
    assert not ArticlePage.objects.get(pk=page.pk).live
    assert run.items.get().page_id == page.pk


@pytest.mark.parametrize("kind", KINDS)
def test_an_unchanged_duplicate_does_nothing(kind, make_source):
    source = make_source(samples.FORMAT_OF[kind])
    story = samples.Story(guid="urn:agency:dup")
    import_(source, kind, [story])
    page = ArticlePage.objects.get()
    revisions = page.revisions.count()

    run = import_(source, kind, [story])

    assert (run.status, run.created_count, run.updated_count, run.unchanged_count) == (
        RunStatus.OK,
        0,
        0,
        1,
    )
    assert page.revisions.count() == revisions
    assert ArticlePage.objects.count() == 1


@pytest.mark.parametrize("kind", ["atom", "ninjs1", "ninjs2"])
def test_an_older_version_never_overwrites_a_newer_one(kind, make_source):
    source = make_source(samples.FORMAT_OF[kind])
    import_(
        source,
        kind,
        [samples.Story(guid="urn:agency:9", version=3, updated="2026-12-01T10:00:00+00:00")],
    )
    page = ArticlePage.objects.get()

    run = import_(
        source,
        kind,
        [
            samples.Story(
                guid="urn:agency:9",
                headline="An earlier headline",
                version=2,
                updated="2026-12-01T09:00:00+00:00",
            )
        ],
    )

    assert run.items.get().outcome == Outcome.STALE
    assert latest(page).title == "Dam levels fall to a ten-year low"


def test_the_same_story_in_two_sources_is_two_stories(make_source):
    first, second = make_source("rss", name="One"), make_source("rss", name="Two")
    story = samples.Story(guid="urn:agency:shared")
    import_(first, "rss", [story])
    import_(second, "rss", [story])
    assert Story.objects.count() == 2
    assert ArticlePage.objects.count() == 2
    assert len(set(ArticlePage.objects.values_list("slug", flat=True))) == 2


def test_a_published_article_gets_its_update_as_a_draft(make_source):
    source = make_source("ninjs")
    import_(source, "ninjs2", [samples.Story(guid="urn:agency:pub")])
    page = ArticlePage.objects.get()
    page.get_latest_revision().publish()
    page.refresh_from_db()
    assert page.live

    run = import_(
        source, "ninjs2", [samples.Story(guid="urn:agency:pub", headline="Corrected", version=2)]
    )

    page.refresh_from_db()
    assert page.live and page.title == "Dam levels fall to a ten-year low"
    assert page.has_unpublished_changes
    assert latest(page).title == "Corrected"
    item = run.items.get()
    assert item.outcome == Outcome.UPDATED and "published" in item.message


def test_an_editors_draft_edits_are_the_base_of_the_update(make_source):
    source = make_source("ninjs")
    import_(source, "ninjs1", [samples.Story(guid="urn:agency:ed")])
    draft = latest(ArticlePage.objects.get())
    draft.access_level = "free"
    draft.save_revision()

    import_(source, "ninjs1", [samples.Story(guid="urn:agency:ed", version=2, headline="New")])

    again = latest(ArticlePage.objects.get())
    assert again.title == "New" and again.access_level == "free"


def test_a_deleted_draft_is_made_again_by_an_update(make_source):
    source = make_source("rss")
    import_(source, "rss", [samples.Story(guid="urn:agency:del")])
    ArticlePage.objects.get().delete()

    run = import_(source, "rss", [samples.Story(guid="urn:agency:del", headline="Back")])

    assert run.updated_count == 1
    assert ArticlePage.objects.get().title == "Back"


def test_bylines_reuse_authors_and_fall_back_to_the_default(make_source):
    reporter = factories.author_create(name="Ana Ruiz")
    desk = factories.author_create(name="Agency desk")
    source = make_source("ninjs", default_author=desk)

    import_(
        source,
        "ninjs1",
        [samples.Story(guid="urn:a:1"), samples.Story(guid="urn:a:2", byline="")],
    )

    first, second = ArticlePage.objects.order_by("pk")
    assert [a.author for a in latest(first).article_authors.all()] == [reporter]
    assert [a.author for a in latest(second).article_authors.all()] == [desk]
    assert Author.objects.count() == 2


def test_a_new_byline_becomes_an_author_credited_to_the_source(make_source):
    source = make_source("atom")
    import_(source, "atom", [samples.Story(guid="urn:a:new", byline="Jo Smith")])
    author = Author.objects.get(name="Jo Smith")
    assert author.role == "Agencia Prensa" and author.slug == "jo-smith"


def test_the_source_line_is_in_the_editions_language(make_source, es_world):
    source = make_source("ninjs", section=es_world)
    import_(source, "ninjs2", [samples.Story(guid="urn:es:1")])
    page = ArticlePage.objects.get()
    assert page.locale.language_code == "es-es"
    assert "Fuente: " in latest(page).body[-1].value.source


def test_images_only_from_the_sources_host_and_within_limits(make_source, agency_server, settings):
    settings.AGENCY_MAX_IMAGE_BYTES = 4000
    source = make_source("rss")
    good = agency_server.serve("/img/good.png", samples.png())
    elsewhere = good.replace("127.0.0.1", "localhost")
    large = agency_server.serve("/img/large.png", samples.png(900, 900) + b"\0" * 5000)
    not_image = agency_server.serve("/img/text.png", b"<html>hello</html>", "image/png")
    missing = agency_server.url("/img/missing.png")
    redirect = agency_server.serve(
        "/img/redirect.png", b"", "text/plain", status=302, headers={"Location": elsewhere}
    )

    run = import_(
        source,
        "rss",
        [samples.Story(guid="urn:img", images=[elsewhere, large, not_image, missing, redirect])],
    )
    run_again = import_(source, "rss", [samples.Story(guid="urn:img2", images=[good])])

    item = run.items.get()
    assert item.outcome == Outcome.CREATED
    assert "not on the source's host" in item.message
    assert "larger than 4000 bytes" in item.message
    assert "not a readable image" in item.message
    assert "answered 404" in item.message
    assert latest(item.page).lead_image is None
    assert latest(run_again.items.get().page).lead_image is not None
    assert get_image_model().objects.count() == 1
    assert "/img/good.png" in agency_server.requests


def test_an_update_reuses_the_images_it_already_fetched(make_source, agency_server):
    source = make_source("ninjs")
    lead = agency_server.serve("/img/lead.png", samples.png())
    import_(source, "ninjs2", [samples.Story(guid="urn:i", images=[lead])])
    import_(source, "ninjs2", [samples.Story(guid="urn:i", images=[lead], version=2, byline="X")])
    assert agency_server.requests.count("/img/lead.png") == 1
    assert get_image_model().objects.count() == 1


def test_a_source_without_url_imports_without_images(make_source):
    source = make_source("rss", url="")
    run = import_(source, "rss", [samples.Story(guid="urn:n", images=["https://a.example/i.png"])])
    item = run.items.get()
    assert item.outcome == Outcome.CREATED and "no URL" in item.message


def test_each_item_is_its_own_transaction(make_source, agency_server, settings, tmp_path):
    """A story that fails half way (its story row written, then its image cannot be stored)
    leaves nothing behind; the other stories are imported."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.MEDIA_ROOT = str(blocked)
    source = make_source("ninjs")
    picture = agency_server.serve("/img/p.png", samples.png())
    failing = samples.Story(guid="urn:bad", images=[picture])
    good = samples.Story(guid="urn:good", headline="Rail strike called off")

    run = import_(source, "ninjs2", [failing, good])

    assert run.status == RunStatus.PARTIAL
    assert [i.outcome for i in run.items.order_by("position")] == [Outcome.FAILED, Outcome.CREATED]
    assert run.items.get(position=1).message
    assert list(ArticlePage.objects.values_list("title", flat=True)) == ["Rail strike called off"]
    assert list(Story.objects.values_list("guid", flat=True)) == ["urn:good"]
    assert not get_image_model().objects.exists()


def test_every_run_is_audited_on_the_source(make_source):
    source = make_source("rss")
    run = import_(source, "rss", [samples.Story(guid="urn:log")])
    from wagtail.models import ModelLogEntry

    entry = ModelLogEntry.objects.get(action=services.IMPORT_LOG_ACTION)
    assert entry.object_id == str(source.pk)
    assert entry.data["run"] == run.pk and entry.data["created"] == 1
    assert "1 created" in entry.message
    assert ImportRun.objects.get().finished_at is not None
