"""GET /metrics after a few requests: the named series, with the values those requests made."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from broadsheet.newsletters.models import (
    Batch,
    Delivery,
    DeliveryStatus,
    IssueStatus,
    Subscriber,
)
from broadsheet.newsletters.tests.conftest import issue_create, newsletter_create
from broadsheet.newsroom.tests import factories

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests"
SECRET = "The ledger lists every payment."


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client: Client) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape, by (name, sorted labels)."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_refused_without_the_token_and_absent_without_one(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    refused = client.get("/metrics", HTTP_AUTHORIZATION="Bearer guessed")
    assert refused.status_code == 403
    assert b"METRICS_TOKEN" in refused.content
    assert client.get("/metrics").status_code == 403
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


def test_requests_page_cache_and_access_decisions_are_counted(metrics_token, settings, en_world):
    settings.ACCESS_REDIS_URL = ""  # the database store: no Redis needed
    free = factories.article_publish(section=en_world, title="Free to all")
    metered = factories.article_publish(
        section=en_world,
        title="Metered one",
        access_level="metered",
        body=[("paragraph", f"<p>{SECRET}</p>")],
    )
    before = scrape(Client())

    reader = Client()
    assert reader.get(free.url).status_code == 200  # rendered, stored
    assert reader.get(free.url).status_code == 200  # from the page cache
    assert SECRET in Client().get(metered.url).content.decode()  # a metered read, allowed
    assert reader.get("/healthz").status_code == 200

    after = scrape(Client())

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("broadsheet_page_cache_requests_total", layer="anonymous", result="miss") >= 1
    assert delta("broadsheet_page_cache_requests_total", layer="anonymous", result="hit") >= 1
    assert delta("broadsheet_request_duration_seconds_count", view="healthz", status="2xx") == 1
    assert delta("broadsheet_request_duration_seconds_count", view="pagecache", status="2xx") >= 1
    assert delta("broadsheet_request_duration_seconds_count", view="metrics", status="2xx") == 1
    assert delta("broadsheet_access_decisions_total", asked="meter", shown="body", store="ok") == 1


def test_a_paywall_and_its_event_are_counted(metrics_token, settings, en_world):
    settings.ACCESS_REDIS_URL = ""
    gated = factories.article_publish(
        section=en_world,
        title="Subscribers only",
        access_level="subscribers",
        body=[("paragraph", f"<p>{SECRET}</p>")],
    )
    before = scrape(Client())
    assert SECRET not in Client().get(gated.url).content.decode()
    after = scrape(Client())
    labels = {"asked": "nothing", "shown": "paywall", "store": "ok"}
    assert (
        value(after, "broadsheet_access_decisions_total", **labels)
        - value(before, "broadsheet_access_decisions_total", **labels)
        == 1
    )
    assert (
        value(after, "broadsheet_access_events_total", kind="paywall")
        - value(before, "broadsheet_access_events_total", kind="paywall")
        == 1
    )


def test_task_queues_and_newsletter_sends_are_read_from_the_database(
    metrics_token, settings, en_edition, en_world
):
    from django_tasks_db.models import DBTaskResult

    newsletter = newsletter_create(edition=en_edition)
    article = factories.article_publish(section=en_world, title="In the issue")
    issue = issue_create(newsletter=newsletter, articles=[article])
    issue.status = IssueStatus.SENDING
    issue.save(update_fields=["status"])
    batch = Batch.objects.create(issue=issue, number=1)
    outcomes = [DeliveryStatus.SENT] * 3 + [DeliveryStatus.FAILED, DeliveryStatus.PENDING]
    for number, status in enumerate(outcomes):
        subscriber = Subscriber.objects.create(email=f"r{number}@example.org")
        Delivery.objects.create(
            issue=issue, subscriber=subscriber, batch=batch, email=subscriber.email, status=status
        )

    # Two confirmations waiting ten minutes for a worker (after the content above, whose
    # publishing enqueues tasks of its own).
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    from broadsheet.newsletters.tasks import send_confirmation_email

    for subscriber_id in (1, 2):
        send_confirmation_email.enqueue(subscriber_id=subscriber_id)
    long_ago = timezone.now() - timezone.timedelta(minutes=10)
    DBTaskResult.objects.filter(queue_name="default").update(enqueued_at=long_ago)

    samples = scrape(Client())

    assert value(samples, "broadsheet_metrics_database_up") == 1
    assert value(samples, "broadsheet_task_queue_depth", queue="default") == 2
    assert value(samples, "broadsheet_task_queue_depth", queue="newsletters") == 0
    assert value(samples, "broadsheet_task_queue_oldest_seconds", queue="default") >= 600
    assert value(samples, "broadsheet_task_queue_oldest_seconds", queue="newsletters") == 0
    labels = {"issue": str(issue.pk), "newsletter": newsletter.slug}
    assert value(samples, "broadsheet_newsletter_deliveries", status="sent", **labels) == 3
    assert value(samples, "broadsheet_newsletter_deliveries", status="failed", **labels) == 1
    assert value(samples, "broadsheet_newsletter_deliveries", status="pending", **labels) == 1


def test_the_grafana_dashboard_queries_only_series_that_exist(metrics_token):
    import json
    import re

    from django.conf import settings

    dashboard = json.loads(
        (settings.BASE_DIR / "deploy" / "grafana" / "broadsheet.json").read_text()
    )
    queried = {
        re.sub(r"_(total|count|bucket|sum)$", "", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"broadsheet_[a-z_]+", target["expr"])
    }
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    exposed = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert queried, "the dashboard queries nothing"
    assert queried <= exposed, f"not exposed: {sorted(queried - exposed)}"
