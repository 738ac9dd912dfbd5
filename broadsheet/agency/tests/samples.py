"""Realistic agency documents, written by the tests: RSS 2.0 with Media RSS, Atom, ninjs 1.3
and ninjs 2.0 with renditions, subjects and bylines; and broken and hostile ones."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from html import escape

from PIL import Image


@dataclass
class Story:
    guid: str
    headline: str = "Dam levels fall to a ten-year low"
    summary: str = "Reservoirs across the basin hold less than a third of their capacity."
    body: str = (
        "<p>Reservoirs across the basin hold <b>less than a third</b> of their capacity, "
        "the water authority said on Tuesday.</p>"
        "<h2>Farmers worry</h2>"
        "<p>Irrigation quotas will be cut, <a href='https://agency.example/more'>officials</a> "
        "said.</p>"
    )
    byline: str = "Ana Ruiz"
    dateline: str = "ZARAGOZA"
    subjects: list[str] = field(default_factory=lambda: ["Drought", "Agriculture"])
    link: str = "https://agency.example/stories/dam-levels"
    version: int = 1
    updated: str = "2026-12-01T08:00:00+00:00"
    images: list[str] = field(default_factory=list)  # URLs


def png(width: int = 64, height: int = 48, colour=(40, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def rss(stories: list[Story], *, encoding: str = "utf-8") -> bytes:
    items = []
    for story in stories:
        media = "".join(
            f'<media:content url="{escape(url)}" medium="image" type="image/png" width="64">'
            f"<media:description>Photo {n} of {escape(story.headline)}</media:description>"
            f"<media:credit>Agency photographer</media:credit></media:content>"
            for n, url in enumerate(story.images, start=1)
        )
        categories = "".join(f"<category>{escape(s)}</category>" for s in story.subjects)
        items.append(
            f"<item><title>{escape(story.headline)}</title>"
            f"<link>{escape(story.link)}</link>"
            f'<guid isPermaLink="false">{escape(story.guid)}</guid>'
            f"<description>{escape(story.summary)}</description>"
            f"<content:encoded><![CDATA[{story.body}]]></content:encoded>"
            f"<dc:creator>{escape(story.byline)}</dc:creator>"
            f"<dc:coverage>{escape(story.dateline)}</dc:coverage>"
            f"<atom:updated>{story.updated}</atom:updated>"
            f"{categories}{media}"
            "<pubDate>Tue, 01 Dec 2026 08:00:00 +0000</pubDate></item>"
        )
    document = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">'
        "<channel><title>Agency wire</title><link>https://agency.example/</link>"
        "<description>The wire</description>" + "".join(items) + "</channel></rss>"
    )
    return document.encode(encoding)


def atom(stories: list[Story]) -> bytes:
    entries = []
    for story in stories:
        # The lead picture as Media RSS (with its credit), the others as enclosures.
        links = "".join(
            f'<media:content url="{escape(url)}" medium="image" width="64">'
            f"<media:description>Photo {n} of {escape(story.headline)}</media:description>"
            "<media:credit>Agency photographer</media:credit></media:content>"
            if n == 1
            else f'<link rel="enclosure" type="image/png" href="{escape(url)}" title="Photo {n}"/>'
            for n, url in enumerate(story.images, start=1)
        )
        categories = "".join(
            f'<category term="{escape(s.lower())}" label="{escape(s)}"/>' for s in story.subjects
        )
        entries.append(
            f"<entry><id>{escape(story.guid)}</id>"
            f"<title type='text'>{escape(story.headline)}</title>"
            f"<updated>{story.updated}</updated><published>2026-12-01T07:00:00Z</published>"
            f"<author><name>{escape(story.byline)}</name></author>"
            f"<dc:coverage>{escape(story.dateline)}</dc:coverage>"
            f'<link rel="alternate" type="text/html" href="{escape(story.link)}"/>{links}'
            f"<summary type='text'>{escape(story.summary)}</summary>"
            f"<content type='html'>{escape(story.body)}</content>{categories}</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">'
        "<title>Agency wire</title><id>urn:agency:wire</id>"
        "<updated>2026-12-01T08:00:00Z</updated>" + "".join(entries) + "</feed>"
    ).encode()


def ninjs_1(stories: list[Story]) -> bytes:
    items = []
    for story in stories:
        associations = {
            f"featureimage{n}": {
                "uri": f"{story.guid}/picture/{n}",
                "type": "picture",
                "headline": f"Photo {n}",
                "description_text": f"Photo {n} of {story.headline}",
                "byline": "Agency photographer",
                "renditions": {
                    "thumbnail": {"href": url + "?thumb", "mimetype": "image/png", "width": 16},
                    "original": {"href": url, "mimetype": "image/png", "width": 64},
                },
            }
            for n, url in enumerate(story.images, start=1)
        }
        items.append(
            {
                "uri": story.guid,
                "type": "text",
                "version": str(story.version),
                "versioncreated": story.updated,
                "firstcreated": "2026-12-01T07:00:00+00:00",
                "language": "en",
                "headline": story.headline,
                "description_text": story.summary,
                "body_html": story.body,
                "byline": f"By {story.byline}" if story.byline else "",
                "located": story.dateline,
                "subject": [
                    {"name": s, "code": f"medtop:{n:08d}", "scheme": "http://cv.iptc.org/"}
                    for n, s in enumerate(story.subjects)
                ],
                "associations": associations,
            }
        )
    return json.dumps(items[0] if len(items) == 1 else items).encode()


def ninjs_2(stories: list[Story]) -> bytes:
    items = []
    for story in stories:
        items.append(
            {
                "$schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json",
                "uri": story.guid,
                "type": "text",
                "version": str(story.version),
                "versioncreated": story.updated,
                "language": "es",
                "headlines": [
                    {"role": "short", "value": "Short"},
                    {"role": "main", "value": story.headline},
                ],
                "descriptions": [{"role": "summary", "value": story.summary}],
                "bodies": [
                    {"role": "main", "contenttype": "text/html", "value": story.body},
                    {"role": "main", "contenttype": "text/plain", "value": "plain"},
                ],
                "by": story.byline,
                "located": story.dateline,
                "subjects": [{"name": s, "uri": f"http://cv.iptc.org/{s}"} for s in story.subjects],
                "associations": [
                    {
                        "name": f"picture{n}",
                        "type": "picture",
                        "uri": f"{story.guid}/picture/{n}",
                        "descriptions": [{"value": f"Photo {n} of {story.headline}"}],
                        "by": "Agency photographer",
                        "renditions": [
                            {
                                "name": "thumbnail",
                                "href": url + "?thumb",
                                "contenttype": "image/png",
                                "width": 16,
                            },
                            {
                                "name": "original",
                                "href": url,
                                "contenttype": "image/png",
                                "width": 64,
                            },
                        ],
                    }
                    for n, url in enumerate(story.images, start=1)
                ],
                "links": [{"rel": "canonical", "href": story.link}],
            }
        )
    return json.dumps({"items": items}).encode()


WRITERS = {"rss": rss, "atom": atom, "ninjs1": ninjs_1, "ninjs2": ninjs_2}
FORMAT_OF = {"rss": "rss", "atom": "atom", "ninjs1": "ninjs", "ninjs2": "ninjs"}


# --- broken and hostile -------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><item><title>&lol9;</title><guid>x</guid></item></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&secret;</title><guid>x</guid></item></channel></rss>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE feed SYSTEM "http://127.0.0.1:9/evil.dtd">
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><title>t</title></entry></feed>"""


def mislabelled_latin1() -> bytes:
    """Declared UTF-8, written in Latin-1: the accents are invalid UTF-8."""
    return rss([Story(guid="urn:x:1", headline="Sequía en Aragón")]).decode().encode("latin-1")


def truncated(document: bytes) -> bytes:
    return document[: len(document) // 2]


def deep_json(depth: int = 5000) -> bytes:
    return b"[" * depth + b"]" * depth
