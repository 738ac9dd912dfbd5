"""Fetching from an agency: its own host, public addresses, http(s), bounded."""

from __future__ import annotations

import pytest

from broadsheet.agency.fetching import FetchError, fetch

from . import samples


def get(url: str, host: str = "127.0.0.1", **kwargs):
    kwargs.setdefault("max_bytes", 10_000)
    return fetch(url=url, host=host, timeout=5, accept="*/*", **kwargs)


def test_fetches_from_the_sources_host(agency_server):
    url = agency_server.serve("/a.png", samples.png())
    fetched = get(url)
    assert fetched.content_type == "image/png" and fetched.data == samples.png()


def test_private_addresses_are_refused_by_default(agency_server, settings):
    settings.AGENCY_ALLOW_PRIVATE_HOSTS = False
    url = agency_server.serve("/a.png", samples.png())
    with pytest.raises(FetchError, match="not a public internet address"):
        get(url)
    with pytest.raises(FetchError, match="not a public internet address"):
        get("http://169.254.169.254/latest/meta-data/", host="169.254.169.254")
    assert agency_server.requests == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "Only http and https"),
        ("ftp://127.0.0.1/x", "Only http and https"),
        ("http://localhost/x", "not on the source's host"),
        ("http://127.0.0.1.example/x", "not on the source's host"),
    ],
)
def test_other_schemes_and_hosts_are_refused(url, message):
    with pytest.raises(FetchError, match=message):
        get(url)


def test_a_redirect_to_another_host_is_refused(agency_server):
    elsewhere = agency_server.url("/a.png").replace("127.0.0.1", "localhost")
    url = agency_server.serve("/r", b"", "text/plain", status=301, headers={"Location": elsewhere})
    with pytest.raises(FetchError, match="not on the source's host"):
        get(url)


def test_a_response_larger_than_the_limit_is_refused(agency_server):
    url = agency_server.serve("/big", b"x" * 20_000, "application/octet-stream")
    with pytest.raises(FetchError, match="larger than 10000 bytes"):
        get(url)


def test_a_closed_port_is_a_clear_error():
    with pytest.raises(FetchError, match="could not be fetched"):
        get("http://127.0.0.1:9/feed")
