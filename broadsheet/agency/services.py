"""Writes of agency import: a document becomes drafts, one item per transaction, with a run
that records what happened to each item. Nothing here publishes."""

from __future__ import annotations

import hashlib
import io
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import Page

from broadsheet.newsroom.models import ArticleAuthor, ArticlePage, Author

from . import selectors
from .body import html_to_blocks
from .fetching import FetchError, fetch
from .limits import limit
from .models import ImportRun, Outcome, RunItem, RunStatus, Source, Story, Trigger
from .parsers import DocumentError, ItemProblem, ParsedImage, ParsedItem, parse_document

logger = logging.getLogger(__name__)

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
ACCEPT = {
    "rss": "application/rss+xml, application/xml;q=0.9, text/xml;q=0.8",
    "atom": "application/atom+xml, application/xml;q=0.9, text/xml;q=0.8",
    "ninjs": "application/ninjs+json, application/json;q=0.9",
}
IMPORT_LOG_ACTION = "agency.import"


@dataclass
class _ImageBudget:
    """The time all image downloads of one run may take together."""

    deadline: float

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


@dataclass
class _FetchedImage:
    image: ParsedImage
    data: bytes = b""
    extension: str = ""
    existing: object | None = None  # an image this story already has


@dataclass
class _Result:
    outcome: str
    page: ArticlePage | None = None
    notes: list[str] = field(default_factory=list)


# --- documents ---------------------------------------------------------------------------


def document_import(
    *,
    source: Source,
    data: bytes,
    trigger: str,
    document: str = "",
    user=None,
    now: datetime | None = None,
) -> ImportRun:
    """Import one document of the source: each item becomes a draft (or a new revision of its
    story's draft) in its own transaction; the run records what happened to each."""
    now = now or timezone.now()
    run = ImportRun.objects.create(
        source=source, trigger=trigger, user=user, document=document[:500], started_at=now
    )
    try:
        parsed = parse_document(format=source.format, data=data)
    except DocumentError as error:
        return _run_finish(run=run, error=str(error))
    budget = _ImageBudget(deadline=time.monotonic() + limit("IMAGE_SECONDS_PER_RUN"))
    for position, entry in enumerate(parsed.entries, start=1):
        if isinstance(entry, ItemProblem):
            RunItem.objects.create(
                run=run,
                position=position,
                guid=entry.guid[:500],
                headline=entry.headline[:255],
                outcome=Outcome.FAILED,
                message=entry.message,
            )
            continue
        try:
            result = _item_import(source=source, item=entry, budget=budget, now=now)
        except (ValidationError, IntegrityError, ValueError, TypeError) as error:
            result = _Result(outcome=Outcome.FAILED, notes=[_validation_message(error)])
        except Exception as error:
            logger.exception("agency item %s of run %s failed", entry.guid, run.pk)
            result = _Result(
                outcome=Outcome.FAILED,
                notes=[_("Unexpected error: %(error)s") % {"error": type(error).__name__}],
            )
        RunItem.objects.create(
            run=run,
            position=position,
            guid=entry.guid,
            headline=entry.headline[:255],
            outcome=result.outcome,
            message="\n".join(result.notes),
            page=result.page,
        )
    return _run_finish(run=run)


def _run_finish(*, run: ImportRun, error: str = "") -> ImportRun:
    counts = {outcome: 0 for outcome in Outcome.values}
    for outcome in run.items.values_list("outcome", flat=True):
        counts[outcome] += 1
    run.created_count = counts[Outcome.CREATED]
    run.updated_count = counts[Outcome.UPDATED]
    run.unchanged_count = counts[Outcome.UNCHANGED] + counts[Outcome.STALE]
    run.failed_count = counts[Outcome.FAILED]
    run.error = error
    if error:
        run.status = RunStatus.FAILED
    elif run.failed_count:
        run.status = RunStatus.PARTIAL
    else:
        run.status = RunStatus.OK
    run.finished_at = timezone.now()
    run.save(
        update_fields=[
            "created_count",
            "updated_count",
            "unchanged_count",
            "failed_count",
            "error",
            "status",
            "finished_at",
        ]
    )
    log(
        instance=run.source,
        action=IMPORT_LOG_ACTION,
        user=run.user,
        data={
            "run": run.pk,
            "status": run.status,
            "document": run.document,
            "created": run.created_count,
            "updated": run.updated_count,
            "unchanged": run.unchanged_count,
            "failed": run.failed_count,
            "error": error,
        },
    )
    return run


def _validation_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        messages = []
        for name, errors in getattr(error, "message_dict", {"": error.messages}).items():
            messages.append(f"{name}: {' '.join(errors)}" if name else " ".join(errors))
        return "; ".join(messages)
    if isinstance(error, IntegrityError):
        return _("The item conflicts with another import of the same story; try again.")
    return str(error)[:500]


# --- items -------------------------------------------------------------------------------


def _is_older(incoming: str, stored: str) -> bool:
    """Whether the incoming version is known to be older than the one imported."""
    if not incoming or not stored:
        return False
    if incoming.isdigit() and stored.isdigit():
        return int(incoming) < int(stored)
    try:
        return datetime.fromisoformat(incoming) < datetime.fromisoformat(stored)
    except (ValueError, TypeError):
        return False


def _item_import(
    *, source: Source, item: ParsedItem, budget: _ImageBudget, now: datetime
) -> _Result:
    fingerprint = item.fingerprint()
    known = Story.objects.filter(source=source, guid=item.guid).first()
    if known is not None and known.fingerprint == fingerprint:
        return _Result(outcome=Outcome.UNCHANGED, page=known.page)
    if known is not None and _is_older(item.version, known.version):
        return _Result(outcome=Outcome.STALE, page=known.page)
    # Images are downloaded before the transaction: no row is locked while we wait on a host.
    notes: list[str] = []
    images = _images_fetch(
        source=source, item=item, known=known.images if known else {}, budget=budget, notes=notes
    )
    with transaction.atomic():
        # Items of one section are written one at a time: the free slug chosen below stays
        # free until this transaction commits (Wagtail checks slugs, the database does not).
        # The section first, then the story: every import takes its locks in this order.
        list(Page.objects.select_for_update().filter(pk=source.section_id).values_list("pk"))
        story = Story.objects.select_for_update().filter(source=source, guid=item.guid).first()
        is_new = story is None
        if story is None:
            try:
                with transaction.atomic():
                    story = Story.objects.create(
                        source=source,
                        guid=item.guid,
                        version=item.version,
                        fingerprint=fingerprint,
                        first_imported_at=now,
                        last_imported_at=now,
                    )
            except IntegrityError:
                # Another run imported this story a moment ago: it is that run's to make.
                return _Result(outcome=Outcome.UNCHANGED, notes=notes)
        elif story.fingerprint == fingerprint:
            return _Result(outcome=Outcome.UNCHANGED, page=story.page)
        elif _is_older(item.version, story.version):
            return _Result(outcome=Outcome.STALE, page=story.page)
        saved = _images_save(images=images, headline=item.headline)
        if story.page_id is None:
            page = _draft_create(source=source, item=item, images=saved)
            outcome = Outcome.CREATED if is_new else Outcome.UPDATED
            if not is_new:
                notes.append(_("Its earlier draft was deleted; a new draft was made."))
        else:
            assert story.page is not None  # page_id is set
            page = _draft_revise(page=story.page, source=source, item=item, images=saved)
            outcome = Outcome.UPDATED
            if page.live:
                notes.append(_("The article is published: the update waits as a draft."))
        story.version = item.version
        story.fingerprint = fingerprint
        story.page = page
        story.images = {
            f.image.url: image.pk for f, image in zip(images, saved, strict=True) if image
        }
        story.last_imported_at = now
        story.save(update_fields=["version", "fingerprint", "page", "images", "last_imported_at"])
    return _Result(outcome=outcome, page=page, notes=notes)


def _draft_create(*, source: Source, item: ParsedItem, images: list) -> ArticlePage:
    section = source.section
    page = ArticlePage(slug=_free_slug(section=section, headline=item.headline), live=False)
    _page_fill(page=page, source=source, item=item, images=images)
    section.add_child(instance=page)
    revision = page.save_revision(log_action=False)
    log(instance=page, action="wagtail.create", revision=revision, content_changed=True)
    return page


def _draft_revise(
    *, page: ArticlePage, source: Source, item: ParsedItem, images: list
) -> ArticlePage:
    # The latest revision, not the live page: an editor's unpublished draft is what changes.
    draft = page.specific.get_latest_revision_as_object()
    _page_fill(page=draft, source=source, item=item, images=images)
    draft.save_revision(log_action=True)
    return draft


def _page_fill(*, page: ArticlePage, source: Source, item: ParsedItem, images: list) -> None:
    """Write the item into the page (a new page, or the latest revision of its draft); the
    images are the item's, stored (None where one could not be fetched)."""
    page.title = _bounded(item.headline, 255)
    page.draft_title = page.title
    page.standfirst = _bounded(item.summary or item.headline, 600)
    page.dateline = _bounded(item.dateline, 80)
    body: list[tuple[str, Any]] = list(html_to_blocks(item.body_html))
    stored = [(parsed, image) for parsed, image in zip(item.images, images, strict=True) if image]
    lead, lead_image = stored[0] if stored else (None, None)
    page.lead_image = lead_image
    page.lead_image_caption = _bounded(lead.caption, 300) if lead else ""
    page.lead_image_credit = _bounded(lead.credit, 120) if lead else ""
    for parsed, image in stored[1:]:
        body.append(
            (
                "image",
                {
                    "image": image,
                    "caption": _bounded(parsed.caption, 250),
                    "credit": _bounded(parsed.credit, 120),
                },
            )
        )
    if item.link:
        with translation.override(source.section.locale.language_code):
            credit = _("Source: %(source)s") % {
                "source": f'<a href="{_attr(item.link)}">{_attr(source.name)}</a>'
            }
        body.append(("paragraph", f"<p>{credit}</p>"))
    page.body = body
    page.tags.set(list(item.subjects))
    page.article_authors = [
        ArticleAuthor(author=author, sort_order=order)
        for order, author in enumerate(_authors(names=item.bylines, source=source))
    ]


def _bounded(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _free_slug(*, section, headline: str) -> str:
    base = slugify(headline, allow_unicode=True)[:80].strip("-") or "agency-story"
    taken = set(section.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _authors(*, names: tuple[str, ...], source: Source) -> list[Author]:
    """The bylines as authors: an existing author of that name, else a new one credited to the
    source; the source's default author when the item names nobody."""
    authors: list[Author] = []
    for name in (_bounded(name, 120) for name in names):
        author = Author.objects.filter(name__iexact=name).first()
        if author is None:
            author = Author.objects.create(
                name=name, slug=_free_author_slug(name), role=_bounded(source.name, 120)
            )
        if author not in authors:
            authors.append(author)
    if not authors and source.default_author is not None:
        authors.append(source.default_author)
    return authors


def _free_author_slug(name: str) -> str:
    base = slugify(name, allow_unicode=True)[:100] or "agency-author"
    taken = set(Author.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


# --- images ------------------------------------------------------------------------------


def _images_fetch(
    *,
    source: Source,
    item: ParsedItem,
    known: dict,
    budget: _ImageBudget,
    notes: list[str],
) -> list[_FetchedImage]:
    image_model = get_image_model()
    existing = image_model.objects.in_bulk([v for v in known.values() if isinstance(v, int)])
    fetched = []
    for image in item.images:
        if known.get(image.url) in existing:
            fetched.append(_FetchedImage(image=image, existing=existing[known[image.url]]))
            continue
        if not source.host:
            notes.append(
                _("Image %(url)s not fetched: the source has no URL, so no host to trust.")
                % {"url": image.url}
            )
            fetched.append(_FetchedImage(image=image))
            continue
        timeout = min(limit("FETCH_TIMEOUT_SECONDS"), budget.remaining())
        if timeout <= 0:
            notes.append(
                _("Image %(url)s not fetched: this run's time for images is used up.")
                % {"url": image.url}
            )
            fetched.append(_FetchedImage(image=image))
            continue
        try:
            response = fetch(
                url=image.url,
                host=source.host,
                max_bytes=limit("MAX_IMAGE_BYTES"),
                timeout=timeout,
                accept="image/*",
            )
            extension = _image_check(response.data)
        except FetchError as error:
            notes.append(_("Image not imported: %(error)s") % {"error": error})
            fetched.append(_FetchedImage(image=image))
            continue
        fetched.append(_FetchedImage(image=image, data=response.data, extension=extension))
    return fetched


def _image_check(data: bytes) -> str:
    """The file extension of an image we accept, or FetchError."""
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            kind = picture.format
            width, height = picture.size
            if kind not in IMAGE_FORMATS:
                raise FetchError(_("the file is not a JPEG, PNG, GIF or WebP image."))
            if width * height > limit("MAX_IMAGE_PIXELS"):
                raise FetchError(_("the image has too many pixels."))
            picture.verify()
    except FetchError:
        raise
    except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError) as error:
        raise FetchError(_("the file is not a readable image.")) from error
    return IMAGE_FORMATS[kind]


def _images_save(*, images: list[_FetchedImage], headline: str) -> list:
    saved = []
    image_model = get_image_model()
    for fetched in images:
        if fetched.existing is not None or not fetched.data:
            saved.append(fetched.existing)
            continue
        digest = hashlib.sha256(fetched.data).hexdigest()[:16]
        image = image_model(
            title=_bounded(fetched.image.caption or headline, 255),
            file=ImageFile(io.BytesIO(fetched.data), name=f"agency-{digest}.{fetched.extension}"),
        )
        # What Wagtail's upload form does: size and hash, used by its duplicate check.
        image._set_image_file_metadata()
        image.save()
        saved.append(image)
    return saved


# --- polling -----------------------------------------------------------------------------


def source_claim_poll(*, source_id: int, now: datetime) -> bool:
    """Claim a due poll of a source, so that overlapping ticks do not poll it twice."""
    source = Source.objects.filter(pk=source_id).only("poll_minutes").first()
    if source is None:
        return False
    due = selectors.source_list_due(now=now).filter(pk=source_id)
    return (
        due.update(next_poll_at=now + timedelta(minutes=source.poll_minutes), last_polled_at=now)
        == 1
    )


def source_poll(*, source: Source, user=None, now: datetime | None = None) -> ImportRun:
    """Fetch the source's feed and import it; a failed fetch is a refused run."""
    now = now or timezone.now()
    try:
        response = fetch(
            url=source.url,
            host=source.host,
            max_bytes=limit("MAX_DOCUMENT_BYTES"),
            timeout=limit("FETCH_TIMEOUT_SECONDS"),
            accept=ACCEPT.get(source.format, "*/*"),
        )
    except FetchError as error:
        run = ImportRun.objects.create(
            source=source, trigger=Trigger.POLL, user=user, document=source.url, started_at=now
        )
        return _run_finish(run=run, error=str(error))
    return document_import(
        source=source,
        data=response.data,
        trigger=Trigger.POLL,
        document=source.url,
        user=user,
        now=now,
    )


def sources_claim_due(*, now: datetime) -> list[int]:
    """The sources whose poll is due, each claimed for this tick."""
    return [
        source_id
        for source_id in selectors.source_list_due(now=now).values_list("pk", flat=True)
        if source_claim_poll(source_id=source_id, now=now)
    ]


# --- roles -------------------------------------------------------------------------------

# Agency permissions each newsroom group gets (the groups are newsroom.services' roles).
GROUP_PERMISSIONS = {
    "Editors": ["add_source", "change_source", "view_source", "view_importrun"],
    "Admins": ["add_source", "change_source", "delete_source", "view_source", "view_importrun"],
}


@transaction.atomic
def agency_setup() -> None:
    """Grant the newsroom groups their agency permissions; idempotent."""
    for group_name, codenames in GROUP_PERMISSIONS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="agency", codename__in=codenames)
            )
