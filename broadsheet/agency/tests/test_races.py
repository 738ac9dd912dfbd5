"""Two imports of the same file at once (an upload during a poll, two workers) make each story
once, with slugs that stay unique in the section."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from broadsheet.agency import services
from broadsheet.agency.models import Outcome, Story, Trigger
from broadsheet.newsroom.models import ArticlePage

from . import samples

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_concurrent_imports_of_one_file_make_each_story_once(make_source):
    source = make_source("ninjs")
    # Same headline, different stories: their slugs are chosen concurrently too.
    document = samples.ninjs_2(
        [samples.Story(guid=f"urn:race:{n}", headline="Storm hits the coast") for n in range(4)]
    )
    barrier = threading.Barrier(3)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            imported = services.document_import(
                source=source, data=document, trigger=Trigger.UPLOAD
            )
            outcomes.extend(imported.items.values_list("outcome", flat=True))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    assert sorted(outcomes).count(Outcome.CREATED) == 4
    assert Story.objects.filter(source=source).count() == 4
    slugs = list(ArticlePage.objects.values_list("slug", flat=True))
    assert len(slugs) == 4 and len(set(slugs)) == 4
