"""Fixtures shared by every app's tests: the two editions and a section in each."""

import pytest
from django.core.cache import cache

from broadsheet.newsroom import services
from broadsheet.newsroom.tests import factories


@pytest.fixture(autouse=True)
def _clear_cache():
    # The page cache and generations live in the cache, which outlives a test's transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editions(db):
    editions = services.editions_setup(hostname="testserver", port=80)
    services.roles_setup(editions=editions)
    return editions


@pytest.fixture
def en_edition(editions):
    return editions[0]


@pytest.fixture
def es_edition(editions):
    return editions[1]


@pytest.fixture
def en_world(en_edition):
    return factories.section_create(edition=en_edition, title="World", slug="world")


@pytest.fixture
def es_world(es_edition):
    return factories.section_create(edition=es_edition, title="Internacional", slug="internacional")


# The production-topology fixtures (broadsheet/tests/topology.py), one set for every app's tests.
from broadsheet.tests.scaleout import pg_replica, redis_cluster  # noqa: E402
from broadsheet.tests.topology import (  # noqa: E402
    collected_static,
    private_redis,
    topology_database,
)

__all__ = ["collected_static", "pg_replica", "private_redis", "redis_cluster", "topology_database"]
