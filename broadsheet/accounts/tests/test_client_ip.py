"""One way to find the client's address (accounts/client_ip.py), used by allauth's limits,
the newsletter signup limits, device records and the audience's reader keys."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from broadsheet.accounts.client_ip import client_ip


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "ip"),
    [
        ("203.0.113.9", "", 0, "203.0.113.9"),
        ("10.0.0.2", "198.51.100.7", 0, "10.0.0.2"),
        ("10.0.0.2", "198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.2", "198.51.100.7, 10.0.0.1", 2, "198.51.100.7"),
        # Fewer hops than trusted proxies: it did not come through them, its peer is all we have.
        ("10.0.0.2", "198.51.100.7", 2, "10.0.0.2"),
        ("10.0.0.2", "not-an-ip", 1, ""),
        ("", "", 0, ""),
    ],
)
def test_the_clients_address_trusts_only_the_configured_proxies(
    remote, forwarded, proxies, ip, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    assert client_ip(request) == ip
