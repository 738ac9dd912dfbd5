"""The API through the production front (marker `topology`): Varnish with the shipped VCL in
front of gunicorn. Public answers are cached and banned on publish; the reader's part is
passed to Django on every request. Headers and content only, never times."""

from __future__ import annotations

import json
import time

import pytest

from broadsheet.pagecache.tests.test_front import PASSWORD, PUBLISH, SECRET, front, reader
from broadsheet.tests.topology import manage_shell

pytestmark = pytest.mark.topology

__all__ = ["front"]


def _json(front, method: str, path: str, *, token: str = "", body: dict | None = None, **headers):
    sent = {"Content-Type": "application/json", **headers}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    status, answer_headers, content = reader(front).request(method, path, body=data, headers=sent)
    return status, answer_headers, json.loads(content) if content else None


def test_public_answers_are_varnish_hits_and_carry_no_gated_body(front):
    path = f"/api/v1/en-us/articles/{front['urls']['gated_id']}/"
    _json(front, "GET", path)
    status, headers, detail = _json(front, "GET", path)
    assert status == 200 and headers["x-cache"] == "HIT"
    assert "cookie" not in headers.get("vary", "").lower()
    assert detail["body_html"] is None and SECRET not in json.dumps(detail)
    _json(front, "GET", "/api/v1/en-us/articles/")
    assert _json(front, "GET", "/api/v1/en-us/articles/")[1]["x-cache"] == "HIT"


def test_the_apps_body_request_is_passed_and_decided_each_time(front):
    status, _headers, signed_in = _json(
        front,
        "POST",
        "/api/v1/en-us/me/sign-in/",
        body={"email": "front@example.org", "password": PASSWORD, "platform": "iphone"},
    )
    assert status == 201
    path = f"/api/v1/en-us/me/articles/{front['urls']['gated_id']}/body/"
    for _ in range(2):
        status, headers, reading = _json(front, "GET", path, token=signed_in["token"])
        assert status == 200 and headers["x-cache"] == "MISS"
        assert "no-store" in headers["cache-control"]
        assert reading["show"] == "body" and SECRET in reading["body_html"]
    # The same address without the token: the paywall, not the subscriber's copy.
    status, headers, anonymous = _json(front, "GET", path)
    assert anonymous["show"] == "paywall" and anonymous["body_html"] is None


def test_the_meter_counts_app_readers_through_varnish(front):
    installation = "a" * 32
    metered_ids = []
    status, _headers, listing = _json(front, "GET", "/api/v1/en-us/articles/?limit=100")
    metered_ids = [item["id"] for item in listing["results"] if item["access_level"] == "metered"]
    seen = []
    for article_id in metered_ids[:2]:
        status, headers, reading = _json(
            front,
            "GET",
            f"/api/v1/en-us/me/articles/{article_id}/body/",
            **{"Broadsheet-Installation": installation},
        )
        assert status == 200 and headers["x-cache"] == "MISS"
        seen.append(reading["meter"]["remaining"])
    assert seen == [2, 1]


def test_publishing_bans_the_apis_answers(front):
    path = f"/api/v1/en-us/articles/{front['urls']['gated_id']}/"
    _json(front, "GET", path)
    assert _json(front, "GET", path)[1]["x-cache"] == "HIT"
    manage_shell(front["env"], PUBLISH.format(pk=front["urls"]["gated_id"]), logs=front["logs"])
    for _ in range(100):  # the worker sends the BAN after the publish commits
        detail = _json(front, "GET", path)[2]
        if detail["headline"] == "Gated story, updated":
            break
        time.sleep(0.2)
    assert detail["headline"] == "Gated story, updated"
