"""Every reader-facing string shows in the edition's language, never the other one's."""

import re
from html import unescape

import pytest
from django.utils.translation import trans_real

from broadsheet.newsroom.tests import factories

pytestmark = pytest.mark.django_db

# Interface strings only: the catalogue pairs whose Spanish differs from the English source.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _ui_pairs() -> list[tuple[str, str]]:
    catalog = trans_real.translation("es")._catalog
    pairs = []
    for msgid, msgstr in catalog.items():
        if not isinstance(msgid, str) or not msgid or msgid == msgstr:
            continue
        # Fixed text around placeholders must not leak either; check the longest fixed part.
        english = max(PLACEHOLDER.split(msgid), key=len).strip()
        spanish = max(PLACEHOLDER.split(msgstr), key=len).strip()
        if len(english) >= 4 and english != spanish:
            pairs.append((english, spanish))
    return pairs


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    attributes = " ".join(
        unescape(v) for v in re.findall(r'(?:aria-label|placeholder|alt)="([^"]*)"', html)
    )
    return " ".join((text + " " + attributes).split())


def _pages_of(client, section, article) -> list[str]:
    prefix = section.url.split("/")[1]
    return [
        client.get(f"/{prefix}/").content.decode(),
        client.get(section.url).content.decode(),
        client.get(article.url).content.decode(),
        client.get(f"/{prefix}/tag/lluvia/").content.decode(),
        client.get(f"/{prefix}/search/", {"q": "zzz"}).content.decode(),
        client.get(f"/{prefix}/no-such-page/").content.decode(),
    ]


def test_spanish_pages_carry_no_english_interface_text(client, es_world):
    author = factories.author_create(name="Lucía Pérez")
    article = factories.article_publish(
        section=es_world,
        title="Llueve en Madrid",
        standfirst="La tormenta duró toda la tarde.",
        tags=["Lluvia"],
        authors=[author],
        correction_note="Se corrigió la fecha.",
        body=[("paragraph", "<p>Cae agua toda la tarde.</p>")],
    )
    pairs = _ui_pairs()
    assert len(pairs) > 40

    for html in _pages_of(client, es_world, article):
        text = _visible_text(html)
        leaked = [
            english for english, _spanish in pairs if re.search(rf"\b{re.escape(english)}\b", text)
        ]
        assert leaked == [], leaked
        assert 'lang="es-es"' in html


def test_english_pages_carry_no_spanish_interface_text(client, en_world):
    author = factories.author_create(name="Sam Lee")
    article = factories.article_publish(
        section=en_world,
        title="Rain in Denver",
        tags=["Lluvia"],
        authors=[author],
        correction_note="The date was corrected.",
    )

    for html in _pages_of(client, en_world, article):
        text = _visible_text(html)
        leaked = [
            spanish
            for _english, spanish in _ui_pairs()
            if re.search(rf"\b{re.escape(spanish)}\b", text)
        ]
        assert leaked == [], leaked


def test_dates_are_written_the_edition_way(client, en_world, es_world):
    from datetime import UTC, datetime

    when = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    english = factories.article_publish(section=en_world, title="Dated", published_at=when)
    spanish = factories.article_publish(section=es_world, title="Fechado", published_at=when)

    assert "March 5, 2026" in client.get(english.url).content.decode()
    assert "5 de marzo de 2026" in client.get(spanish.url).content.decode()
