"""The decisions of counting, as plain functions of plain values: who is a reader, where they
came from, and the short-lived key that tells one reader from another."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from .bots import bot_pattern
from .hits import Source

# Headers with which browsers announce a speculative load: Chromium (Sec-Purpose: prefetch,
# "prefetch;prerender"), older Chromium (Purpose), Safari (X-Purpose), Firefox (X-Moz).
SPECULATIVE_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
SPECULATIVE_WORDS = ("prefetch", "prerender", "preview")

SEARCH_HOSTS = (
    "google.",
    "bing.com",
    "duckduckgo.com",
    "search.yahoo.",
    "yandex.",
    "baidu.com",
    "ecosia.org",
    "qwant.com",
    "search.brave.com",
    "startpage.com",
    "kagi.com",
    "naver.com",
    "seznam.cz",
    "perplexity.ai",
    "chatgpt.com",
)
SOCIAL_HOSTS = (
    "facebook.com",
    "fb.com",
    "fb.me",
    "instagram.com",
    "threads.net",
    "t.co",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "lnkd.in",
    "reddit.com",
    "pinterest.",
    "tiktok.com",
    "youtube.com",
    "bsky.app",
    "news.ycombinator.com",
    "whatsapp.com",
    "t.me",
    "telegram.org",
    "flipboard.com",
)
# Webmail: a click from an email, which for us is nearly always a newsletter.
EMAIL_HOSTS = (
    "mail.google.com",
    "outlook.live.com",
    "outlook.office.com",
    "outlook.office365.com",
    "mail.yahoo.com",
    "mail.proton.me",
    "mail.aol.com",
    "app.fastmail.com",
    "mail.zoho.com",
    "webmail.",
)
# Apps that open links with an android-app:// referrer.
APP_SOURCES = {
    "com.google.android.gm": Source.NEWSLETTER,
    "com.google.android.googlequicksearchbox": Source.SEARCH,
    "com.google.android.apps.searchlite": Source.SEARCH,
    "com.facebook.katana": Source.SOCIAL,
    "com.instagram.android": Source.SOCIAL,
    "com.twitter.android": Source.SOCIAL,
    "com.linkedin.android": Source.SOCIAL,
    "com.reddit.frontpage": Source.SOCIAL,
    "org.telegram.messenger": Source.SOCIAL,
    "com.whatsapp": Source.SOCIAL,
}
# Campaign markers on our own links that say "this came from an email".
EMAIL_MEDIUMS = {"email", "e-mail", "newsletter"}


def is_bot(user_agent: str, *, extra_patterns: tuple[str, ...] = ()) -> bool:
    user_agent = user_agent.strip()
    if not user_agent:
        return True
    return bot_pattern(tuple(extra_patterns)).search(user_agent[:512]) is not None


def is_speculative(headers: Mapping[str, str]) -> bool:
    """A prefetch or prerender: the reader has not seen the page (yet)."""
    for name in SPECULATIVE_HEADERS:
        value = headers.get(name, "").lower()
        if any(word in value for word in SPECULATIVE_WORDS):
            return True
    return False


def _host_in(host: str, suffixes: tuple[str, ...]) -> bool:
    for suffix in suffixes:
        if suffix.endswith("."):
            # "google." matches google.com, www.google.co.uk, news.google.es
            if host.startswith(suffix) or f".{suffix}" in f".{host}":
                return True
        elif host == suffix or host.endswith("." + suffix):
            return True
    return False


def _campaign_says_email(page_url: str) -> bool:
    query = parse_qs(urlsplit(page_url).query)
    medium = {value.lower() for value in query.get("utm_medium", [])}
    source = " ".join(query.get("utm_source", [])).lower()
    return bool(medium & EMAIL_MEDIUMS) or "newsletter" in source


def referrer_source(*, referrer: str | None, page_url: str = "", own_hosts: frozenset[str]) -> str:
    """Where the reader came from. `referrer` is the page's document.referrer as the beacon
    reports it; None when the beacon could not say (no JavaScript). `page_url` is the article's
    own address, whose campaign markers (utm_*) win: a newsletter link says so itself."""
    if page_url and _campaign_says_email(page_url):
        return Source.NEWSLETTER
    if referrer is None:
        return Source.UNKNOWN
    referrer = referrer.strip()
    if not referrer:
        return Source.DIRECT
    parts = urlsplit(referrer[:2000])
    if parts.scheme == "android-app":
        return APP_SOURCES.get((parts.hostname or "").lower(), Source.OTHER)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return Source.OTHER
    if host in own_hosts:
        return Source.INTERNAL
    if _host_in(host, EMAIL_HOSTS):
        return Source.NEWSLETTER
    if _host_in(host, SEARCH_HOSTS):
        return Source.SEARCH
    if _host_in(host, SOCIAL_HOSTS):
        return Source.SOCIAL
    return Source.OTHER


def daily_salt(*, secret: str, day: date) -> bytes:
    return hmac.new(
        secret.encode(), f"broadsheet.audience.reader:{day.isoformat()}".encode(), hashlib.sha256
    ).digest()


def reader_key(*, secret: str, day: date, ip: str, user_agent: str) -> str:
    """A reader for the reload window: address and browser, hashed with the day's salt. Not
    reversible without the secret, unlinkable across days, and never stored for longer than
    the window."""
    salt = daily_salt(secret=secret, day=day)
    material = f"{ip}\n{user_agent[:512]}".encode()
    return hashlib.blake2b(material, key=salt[:64], digest_size=12).hexdigest()


def reader_keys(
    *, secret: str, now: datetime, window: timedelta, ip: str, user_agent: str
) -> tuple[str, str]:
    """Today's key, and yesterday's while a window opened before midnight may still be open."""
    today = now.date()
    current = reader_key(secret=secret, day=today, ip=ip, user_agent=user_agent)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if now - midnight < window:
        previous = reader_key(
            secret=secret, day=today - timedelta(days=1), ip=ip, user_agent=user_agent
        )
        return current, previous
    return current, ""
