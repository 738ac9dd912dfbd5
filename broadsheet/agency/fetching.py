"""Fetching from an agency: http(s) only, from the source's own host only (redirects too), with
a size and a time limit, and never through a proxy from the environment."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from .limits import limit

USER_AGENT = "Broadsheet agency import"
CHUNK = 64 * 1024


class FetchError(Exception):
    """The fetch failed; the message is for the editor."""


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str


def _check(url: str, *, host: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(_("Only http and https addresses are fetched: %(url)s") % {"url": url})
    if not host or (parts.hostname or "").lower() != host:
        raise FetchError(
            _("%(url)s is not on the source's host (%(host)s).") % {"url": url, "host": host}
        )
    if not limit("ALLOW_PRIVATE_HOSTS") and not _is_public(host, parts.port):
        # An agency is on the internet: a source pointing inside our network (the cloud's
        # metadata address, Redis, the admin) would make us fetch for whoever configured it.
        raise FetchError(_("%(host)s is not a public internet address.") % {"host": host})


def _is_public(host: str, port: int | None) -> bool:
    try:
        addresses = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return True  # it does not resolve: the fetch itself fails and says so
    return all(ipaddress.ip_address(info[4][0]).is_global for info in addresses)


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 3

    def __init__(self, host: str) -> None:
        self.host = host

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check(newurl, host=self.host)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(*, url: str, host: str, max_bytes: int, timeout: float, accept: str) -> Fetched:
    """GET url (which must be on host) and return its body, or raise FetchError."""
    _check(url, host=host)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _SameHostRedirects(host))
    request = urllib.request.Request(  # noqa: S310  (the scheme is checked above)
        url, headers={"User-Agent": USER_AGENT, "Accept": accept}
    )
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(
                    _("%(url)s is larger than %(limit)s bytes.") % {"url": url, "limit": max_bytes}
                )
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(
                        _("%(url)s is larger than %(limit)s bytes.")
                        % {"url": url, "limit": max_bytes}
                    )
                if time.monotonic() > deadline:
                    raise FetchError(_("%(url)s took too long to download.") % {"url": url})
                chunks.append(chunk)
            return Fetched(b"".join(chunks), response.headers.get_content_type())
    except urllib.error.HTTPError as error:
        raise FetchError(
            _("%(url)s answered %(status)s.") % {"url": url, "status": error.code}
        ) from error
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(
            _("%(url)s could not be fetched: %(reason)s.") % {"url": url, "reason": reason}
        ) from error
