"""The shapes of the demo's text: sections, authors and stories, as plain frozen data.

The text itself lives in people.py, stories_en.py and stories_es.py; loader.py turns it into
Wagtail pages. Every place, person and organisation in it is invented.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionSpec:
    # The same key in two editions makes the second section a translation of the first.
    key: str
    title: str
    slug: str
    intro: str


@dataclass(frozen=True)
class AuthorSpec:
    name: str
    slug: str
    role: str
    bio: str


@dataclass(frozen=True)
class TagSpec:
    name: str
    kind: str  # one of models.TagKind


@dataclass(frozen=True)
class Paragraph:
    html: str


@dataclass(frozen=True)
class Subhead:
    text: str


@dataclass(frozen=True)
class PullQuote:
    quote: str
    attribution: str = ""


@dataclass(frozen=True)
class Picture:
    motif: str  # one of images.MOTIFS
    caption: str
    credit: str = ""


@dataclass(frozen=True)
class RelatedCard:
    # A card for the story's first related article; the loader fills in which page it is.
    pass


Block = Paragraph | Subhead | PullQuote | Picture | RelatedCard


@dataclass(frozen=True)
class Story:
    """One article in one edition.

    A Spanish story with the key of an English one is published as its Wagtail translation.
    Times are hours before the moment the demo is loaded, so the demo always looks recent.
    """

    key: str
    language: str
    section: str
    headline: str
    slug: str
    standfirst: str
    dateline: str
    lead: Picture
    body: tuple[Block, ...]
    authors: tuple[str, ...]
    tags: tuple[TagSpec, ...]
    related: tuple[str, ...] = ()
    access: str = "metered"
    hours_ago: float = 24.0
    updated_after_hours: float = 0.0
    correction: str = ""


def topic(name: str) -> TagSpec:
    return TagSpec(name, "topic")


def person(name: str) -> TagSpec:
    return TagSpec(name, "person")


def place(name: str) -> TagSpec:
    return TagSpec(name, "place")


def org(name: str) -> TagSpec:
    return TagSpec(name, "organisation")
