"""A readable name for a browser from its User-Agent: good enough to tell a reader's own
devices apart ("Chrome on Android", "Safari on iPhone"), not a full parser.

The order of each table matters: many browsers also say "Chrome" or "Safari" in their
User-Agent, so the more specific names are tried first.
"""

from __future__ import annotations

import re

BROWSERS: list[tuple[str, re.Pattern[str]]] = [
    ("Broadsheet app", re.compile(r"\bBroadsheetApp/")),
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(OPR|Opera|OPT)/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Vivaldi", re.compile(r"\bVivaldi/")),
    ("Firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(Chrome|CriOS|HeadlessChrome|Chromium)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
    ("curl", re.compile(r"^curl/")),
]

PLATFORMS: list[tuple[str, re.Pattern[str]]] = [
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
]


def _first_match(table: list[tuple[str, re.Pattern[str]]], user_agent: str) -> str:
    for name, pattern in table:
        if pattern.search(user_agent):
            return name
    return ""


def browser_and_platform(user_agent: str) -> tuple[str, str]:
    """("Chrome", "Android"); an empty string for what cannot be told."""
    user_agent = user_agent[:400]
    return _first_match(BROWSERS, user_agent), _first_match(PLATFORMS, user_agent)
