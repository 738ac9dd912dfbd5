"""Several web nodes, each behind a Varnish of its own (marker `topology`): one publish bans the
edition on every Varnish listed in PAGE_CACHE_FRONT_PROXIES, and every node serves the new page.
Asserts headers and content only, never times."""

from __future__ import annotations

import json
import time

import pytest

from broadsheet.tests.topology import (
    DbWorker,
    Gunicorn,
    HttpClient,
    PrivateRedis,
    Varnish,
    manage_shell,
    production_env,
    require,
)

pytestmark = pytest.mark.topology

SETUP = """
import json
from broadsheet.newsroom.models import EditionPage
from broadsheet.newsroom.tests import factories

edition = EditionPage.objects.get(locale__language_code="en-us")
section = factories.section_create(edition=edition, title="Nodes", slug="nodes")
story = factories.article_publish(section=section, title="Story as first told")
print(json.dumps({"url": story.url, "pk": story.pk}))
"""

PUBLISH = """
from broadsheet.newsroom.models import ArticlePage
page = ArticlePage.objects.get(pk={pk})
page.title = "Story as corrected"
page.save_revision().publish()
"""


def test_a_publish_bans_the_page_on_every_varnish_node(topology_database, tmp_path):
    require(postgres=True, redis=True, varnish=True)
    with PrivateRedis(logs=tmp_path / "redis") as redis:
        env = production_env(database_url=topology_database.url, redis_url=redis.url)
        story = json.loads(manage_shell(env, SETUP, logs=tmp_path).strip().splitlines()[-1])
        with (
            Gunicorn(env, logs=tmp_path / "web-a", workers=1, threads=2) as web_a,
            Gunicorn(env, logs=tmp_path / "web-b", workers=1, threads=2) as web_b,
            Varnish(backend_port=web_a.port, logs=tmp_path / "varnish-a") as varnish_a,
            Varnish(backend_port=web_b.port, logs=tmp_path / "varnish-b") as varnish_b,
        ):
            nodes = [varnish_a, varnish_b]
            proxies = ",".join(f"http://127.0.0.1:{node.port}" for node in nodes)
            with DbWorker(env | {"PAGE_CACHE_FRONT_PROXIES": proxies}, logs=tmp_path / "worker"):
                for node in nodes:
                    HttpClient(node.port).get(story["url"])
                    _status, headers, body = HttpClient(node.port).get(story["url"])
                    assert headers["x-cache"] == "HIT" and b"Story as first told" in body

                manage_shell(env, PUBLISH.format(pk=story["pk"]), logs=tmp_path)

                for node in nodes:
                    for _ in range(100):  # the worker sends the BANs after the publish commits
                        _status, headers, body = HttpClient(node.port).get(story["url"])
                        if b"Story as corrected" in body:
                            break
                        time.sleep(0.2)
                    assert b"Story as corrected" in body, f"Varnish on {node.port} kept the page"
                    _status, headers, body = HttpClient(node.port).get(story["url"])
                    assert headers["x-cache"] == "HIT" and b"Story as corrected" in body
