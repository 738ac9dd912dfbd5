"""PostgreSQL read replicas (broadsheet/db_routing.py): which reads a replica serves, and what a
reader and an editor see while the replica lags.

The routing rules run anywhere (the router needs no replica to answer where a read goes); the
journeys (marker `replica`) run on a real streaming replica of DATABASE_URL's server, its replay
paused to make lag on demand."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory

from broadsheet.db_routing import (
    PIN_COOKIE,
    ReplicaReadsMiddleware,
    ReplicaRouter,
    replicas_wait_for_primary,
)
from broadsheet.newsroom.models import ArticlePage
from broadsheet.newsroom.tests import factories
from broadsheet.tests.scaleout import HOST

# --- where a read goes --------------------------------------------------------------------------


def route(request, *, write_first: bool = False) -> tuple[str, HttpResponse]:
    """Where the router sends a read made while `request` is answered, and the response."""
    router = ReplicaRouter()
    seen = {}

    def view(_request):
        if write_first:
            router.db_for_write(ArticlePage)
        seen["read"] = router.db_for_read(ArticlePage)
        return HttpResponse("ok")

    response = ReplicaReadsMiddleware(view)(request)
    return seen["read"], response


@pytest.fixture
def one_replica(settings):
    settings.DATABASE_REPLICAS = ["replica_1"]
    settings.DATABASE_REPLICA_PIN_SECONDS = 60


def test_a_readers_page_is_read_from_a_replica_and_leaves_no_pin(one_replica):
    read, response = route(RequestFactory().get("/en-us/world/a-story/"))
    assert read == "replica_1"
    assert PIN_COOKIE not in response.cookies


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_a_form_or_other_write_request_reads_the_primary_and_pins_the_browser(one_replica, method):
    read, response = route(getattr(RequestFactory(), method)("/en-us/newsletters/"))
    assert read == "default"
    assert response.cookies[PIN_COOKIE]["max-age"] == 60
    assert response.cookies[PIN_COOKIE]["httponly"]


def test_a_pinned_browser_reads_the_primary(one_replica):
    request = RequestFactory().get("/en-us/world/a-story/")
    request.COOKIES[PIN_COOKIE] = "1"
    assert route(request)[0] == "default"


@pytest.mark.parametrize(
    "path", ["/admin/pages/3/", "/billing/stripe/", "/es/accounts/", "/en-us/subscription/"]
)
def test_the_admin_webhooks_and_account_pages_always_read_the_primary(one_replica, path):
    assert route(RequestFactory().get(path))[0] == "default"


def test_a_request_that_wrote_reads_its_write_from_the_primary_and_pins(one_replica):
    read, response = route(RequestFactory().get("/en-us/world/a-story/"), write_first=True)
    assert read == "default"
    assert PIN_COOKIE in response.cookies


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reads_inside_a_transaction_go_to_the_primary(one_replica):
    def view(_request):
        with transaction.atomic():
            return HttpResponse(ReplicaRouter().db_for_read(ArticlePage))

    response = ReplicaReadsMiddleware(view)(RequestFactory().get("/en-us/"))
    assert response.content == b"default"


def test_work_outside_a_request_reads_the_primary(one_replica):
    # The task worker, commands, the shell: no request, no replica.
    assert ReplicaRouter().db_for_read(ArticlePage) == "default"


def test_without_replicas_everything_reads_the_primary_and_nothing_is_pinned(settings):
    settings.DATABASE_REPLICAS = []
    read, response = route(RequestFactory().post("/en-us/newsletters/"))
    assert read == "default" and PIN_COOKIE not in response.cookies


def test_replicas_are_never_migrated():
    assert not ReplicaRouter().allow_migrate("replica_1", "newsroom")
    assert ReplicaRouter().allow_migrate("default", "newsroom")


# --- on a real streaming replica --------------------------------------------------------------


ALIAS = "test_replica"  # broadsheet/settings/test.py


# Committed data (a standby replays only what was committed), the alias allowed; flushed and
# restored on the primary alone, the standby being a mirror.
def on_replica(test):
    test = pytest.mark.replica(test)
    return pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", ALIAS]
    )(test)


@pytest.fixture
def replica(pg_replica, settings):
    """The test database read through a real standby as ALIAS, replay running, caught up."""
    connection = connections[ALIAS]
    connection.close()
    primary = connections["default"].settings_dict
    connection.settings_dict = {
        **primary,
        "HOST": HOST,
        "PORT": str(pg_replica.port),
        "TEST": {**primary["TEST"], "MIRROR": "default"},
    }
    settings.DATABASE_REPLICAS = [ALIAS]
    settings.DATABASE_REPLICA_PIN_SECONDS = 60
    pg_replica.wait_caught_up()
    yield pg_replica
    pg_replica.resume_replay()
    connection.close()
    connection.settings_dict = primary


def published(en_world, title: str) -> ArticlePage:
    return factories.article_publish(section=en_world, title=title)


@on_replica
def test_the_replica_alias_is_a_standby(replica):
    # The alias really is the standby: a write through it is refused.
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True


@on_replica
def test_a_reader_reads_the_replica_and_sees_an_article_once_it_is_replayed(replica, en_world):
    replica.pause_replay()
    article = published(en_world, "Published during the lag")
    reader = Client()
    # The replica has not replayed the publish yet: for this reader the page does not exist.
    assert reader.get(article.url).status_code == 404
    replica.resume_replay()
    replica.wait_caught_up()
    response = reader.get(article.url)
    assert response.status_code == 200
    assert "Published during the lag" in response.content.decode()


@on_replica
def test_a_reader_who_just_wrote_reads_their_write_from_the_primary(replica, en_world):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("lag", "lag@example.org", "a long passphrase 42")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    replica.wait_caught_up()
    replica.pause_replay()
    reader = Client()
    signed_in = reader.post(
        "/en-us/accounts/login/", {"login": user.email, "password": "a long passphrase 42"}
    )
    assert signed_in.status_code == 302
    assert PIN_COOKIE in signed_in.cookies
    article = published(en_world, "Seen by the one who wrote")
    # Pinned by the sign-in (a write): the primary, which has the article and the new session.
    assert reader.get(article.url).status_code == 200
    assert Client().get(article.url).status_code == 404  # anyone else: the lagging replica


@on_replica
def test_an_editor_after_unpublishing_sees_it_gone_while_the_replica_lags(
    replica, en_world, settings, django_user_model
):
    settings.DATABASE_REPLICA_PURGE_WAIT_SECONDS = 1
    article = published(en_world, "To be withdrawn")
    editor = django_user_model.objects.create_superuser("editor", "ed@example.org", "pw")
    replica.wait_caught_up()
    replica.pause_replay()
    desk = Client()
    desk.force_login(editor)
    response = desk.post(f"/admin/pages/{article.pk}/unpublish/")
    assert response.status_code == 302
    assert not ArticlePage.objects.get(pk=article.pk).live
    assert desk.get(article.url).status_code == 404  # the editor sees their write
    assert Client().get(article.url).status_code == 200  # a reader, on the lagging replica


@on_replica
def test_a_purge_waits_for_the_replica_so_no_old_page_is_cached_again(replica, en_world, settings):
    settings.DATABASE_REPLICA_PURGE_WAIT_SECONDS = 60
    article = published(en_world, "Soon withdrawn")
    reader = Client()
    assert reader.get(article.url).status_code == 200  # cached, from the replica
    replica.wait_caught_up()
    replica.pause_replay()
    # Replay resumes while the unpublish's purge waits for it (whenever that is).
    threading.Timer(0.3, replica.resume_replay).start()
    article.unpublish()
    assert Client().get(article.url).status_code == 404


@on_replica
def test_waiting_for_a_paused_replica_gives_up_after_the_timeout(replica, en_world):
    replica.pause_replay()
    published(en_world, "Written while paused")
    assert replicas_wait_for_primary(timeout=0.2) is False
    replica.resume_replay()
    assert replicas_wait_for_primary(timeout=30) is True
