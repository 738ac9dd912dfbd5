"""What each parser reads, and how it refuses broken, oversized and hostile documents."""

from __future__ import annotations

import codecs
import json

import pytest

from broadsheet.agency.body import html_to_blocks, html_to_text
from broadsheet.agency.parsers import DocumentError, ItemProblem, ParsedItem, parse_document

from . import samples

IMAGE = "https://agency.example/pictures/dam.jpg"


def parse(kind: str, data: bytes):
    return parse_document(format=samples.FORMAT_OF.get(kind, kind), data=data).entries


@pytest.mark.parametrize("kind", list(samples.WRITERS))
def test_each_format_reads_the_same_story(kind):
    story = samples.Story(guid="urn:agency:42", images=[IMAGE])

    (item,) = parse(kind, samples.WRITERS[kind]([story]))

    assert isinstance(item, ParsedItem)
    assert item.guid == "urn:agency:42"
    assert item.headline == story.headline
    assert item.summary == story.summary
    assert "<b>less than a third</b>" in item.body_html
    assert item.bylines == ("Ana Ruiz",)
    assert item.dateline == "ZARAGOZA"
    assert item.subjects == ("Drought", "Agriculture")
    assert [i.url for i in item.images] == [IMAGE]
    assert item.images[0].caption == f"Photo 1 of {story.headline}"
    assert item.link == ("" if kind == "ninjs1" else story.link)


def test_versions_per_format():
    story = samples.Story(guid="urn:v", version=4, updated="2026-12-01T11:00:00+00:00")
    assert parse("ninjs1", samples.ninjs_1([story]))[0].version == "4"
    assert parse("ninjs2", samples.ninjs_2([story]))[0].version == "4"
    assert parse("atom", samples.atom([story]))[0].version == story.updated
    assert parse("rss", samples.rss([story]))[0].version == story.updated


def test_ninjs_1_uses_an_http_uri_as_the_link_and_the_largest_rendition():
    story = samples.Story(guid="https://agency.example/item/1", images=[IMAGE])
    (item,) = parse("ninjs1", samples.ninjs_1([story]))
    assert item.link == story.guid
    assert item.images[0].url == IMAGE  # not the ?thumb rendition


def test_ninjs_2_prefers_the_main_headline_and_the_html_body():
    (item,) = parse("ninjs2", samples.ninjs_2([samples.Story(guid="urn:2")]))
    assert item.headline == "Dam levels fall to a ten-year low"
    assert item.body_html.startswith("<p>")


def test_plain_text_bodies_become_paragraphs():
    document = {"uri": "urn:t", "headline": "Plain", "body_text": "One <b>.\n\nTwo."}
    (item,) = parse("ninjs", json.dumps(document).encode())
    assert item.body_html == "<p>One &lt;b&gt;.</p><p>Two.</p>"
    assert item.summary == "One <b>. Two."


def test_items_missing_required_fields_or_with_wrong_types_are_problems():
    document = [
        {"headline": "No uri"},
        {"uri": "urn:no-headline"},
        {"uri": "urn:bad-type", "headline": ["a", "list"]},
        {"uri": "urn:bad-subjects", "headline": "H", "subject": "Drought"},
        {"uri": "urn:picture", "type": "picture", "headline": "A photo"},
        "not an object",
        {"uri": "urn:fine", "headline": "Fine", "version": True},
        {"uri": "urn:ok", "headline": "OK", "version": 3},
    ]

    entries = parse("ninjs", json.dumps(document).encode())

    problems = [e for e in entries if isinstance(e, ItemProblem)]
    assert [p.position for p in problems] == [1, 2, 3, 4, 5, 6, 7]
    assert "identifier" in problems[0].message and problems[0].headline == "No uri"
    assert "headline" in problems[1].message and problems[1].guid == "urn:no-headline"
    assert "headline has the wrong type" in problems[2].message
    assert "subject has the wrong type" in problems[3].message
    assert "only text items" in problems[4].message
    assert "not a JSON object" in problems[5].message
    assert "version has the wrong type" in problems[6].message
    assert entries[7].version == "3"


def test_rss_items_without_guid_use_their_link_and_without_either_are_problems():
    document = (
        b'<rss version="2.0"><channel>'
        b"<item><title>Linked</title><link>https://agency.example/a</link></item>"
        b"<item><title>Nothing</title></item>"
        b"</channel></rss>"
    )
    linked, nothing = parse("rss", document)
    assert linked.guid == "https://agency.example/a"
    assert isinstance(nothing, ItemProblem) and nothing.headline == "Nothing"


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("rss", samples.BILLION_LAUGHS, "declares a document type, entities"),
        ("rss", samples.EXTERNAL_ENTITY, "declares a document type, entities"),
        ("atom", samples.EXTERNAL_DTD, "declares a document type, entities"),
        ("rss", samples.mislabelled_latin1(), "not valid UTF-8 text"),
        ("rss", samples.truncated(samples.rss([samples.Story(guid="t")])), "not well-formed"),
        ("atom", samples.truncated(samples.atom([samples.Story(guid="t")])), "not well-formed"),
        ("ninjs", samples.truncated(samples.ninjs_2([samples.Story(guid="t")])), "not valid JSON"),
        ("ninjs", samples.deep_json(), "nested deeper than 32"),
        ("ninjs", "{}".encode("latin-1") + b'\xff{"uri": 1}', "not valid"),
        ("ninjs", b'"just a string"', "object or a list"),
        ("rss", b'<?xml version="1.0" encoding="klingon"?><rss/>', "unknown encoding"),
        ("rss", samples.atom([samples.Story(guid="a")]), "Atom feed, not RSS"),
        ("atom", samples.rss([samples.Story(guid="a")]), "RSS feed, not Atom"),
        ("rss", samples.ninjs_2([samples.Story(guid="a")]), "JSON, not XML"),
        ("ninjs", samples.rss([samples.Story(guid="a")]), "XML, not JSON"),
        ("rss", b"<html><body>Not found</body></html>", "not an RSS feed"),
        ("rss", b"   \n", "empty"),
        (
            "ninjs",
            b'{"uri": "u", "headline": "h", "n": 1' + b"0" * 5000 + b"}",
            "could not be read",
        ),
    ],
)
def test_broken_and_hostile_documents_are_refused_whole(kind, data, message):
    with pytest.raises(DocumentError, match=message):
        parse(kind, data)


def test_oversized_documents_and_too_many_items_are_refused(settings):
    settings.AGENCY_MAX_DOCUMENT_BYTES = 1000
    with pytest.raises(DocumentError, match="larger than 1000 bytes"):
        parse("rss", samples.rss([samples.Story(guid=str(n)) for n in range(5)]))
    settings.AGENCY_MAX_DOCUMENT_BYTES = 10**6
    settings.AGENCY_MAX_ITEMS = 3
    with pytest.raises(DocumentError, match="4 items; at most 3"):
        parse("ninjs", samples.ninjs_1([samples.Story(guid=str(n)) for n in range(4)]))


def test_other_declared_encodings_are_read():
    story = samples.Story(guid="urn:es", headline="Sequía en Aragón", byline="Begoña Díaz")
    for encoding in ("iso-8859-1", "windows-1252", "utf-16"):
        (item,) = parse("rss", samples.rss([story], encoding=encoding))
        assert (item.headline, item.bylines) == ("Sequía en Aragón", ("Begoña Díaz",)), encoding
    utf8_bom = codecs.BOM_UTF8 + samples.ninjs_2([story])
    assert parse("ninjs", utf8_bom)[0].headline == "Sequía en Aragón"


def test_control_characters_are_dropped():
    document = {"uri": "urn:nul", "headline": "Nul\u0000 byte", "body_html": "<p>a\u0000b</p>"}
    (item,) = parse("ninjs", json.dumps(document).encode())
    assert item.headline == "Nul byte"
    assert html_to_blocks(item.body_html) == [("paragraph", "<p>ab</p>")]


def test_the_body_keeps_only_what_rich_text_allows():
    hostile = (
        '<h2 onclick="x()">Heading</h2>'
        '<p style="color:red" onmouseover="steal()">Text <strong>bold</strong> '
        '<em>it</em> <a href="javascript:alert(1)">js</a> '
        '<a href="https://agency.example/x" onclick="y()" target="_blank">ok</a></p>'
        "<script>alert('x')</script><iframe src='https://evil.example'>frame</iframe>"
        "<style>p { display: none }</style><object data='x'><p>inside object</p></object>"
        "<svg><script>alert(2)</script></svg><img src=x onerror=alert(3)>"
        "<ul><li>one<ol><li>nested</li></ol></li><li>two</li></ul>"
        "<blockquote>Quoted</blockquote><table><tr><td>cell</td></tr></table>"
    )

    blocks = html_to_blocks(hostile)

    assert blocks == [
        ("subhead", "Heading"),
        (
            "paragraph",
            '<p>Text <b>bold</b> <i>it</i> js <a href="https://agency.example/x">ok</a></p>'
            "<ul><li>one</li><li>nested</li><li>two</li></ul><p>Quoted</p><p>cell</p>",
        ),
    ]
    assert html_to_text(hostile).startswith("Heading Text bold it js ok")
    assert "alert" not in html_to_text(hostile)
