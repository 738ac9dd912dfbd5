"""axe-core finds no accessibility violation on the pages a reader meets, in both editions:
the home, a section, an article, the paywall and the sign-in page.

axe-core is vendored (broadsheet/tests/vendor/axe-core, the npm package at a pinned version):
nothing is downloaded when the tests run. The browser context bypasses the site's
Content-Security-Policy only so that the test can inject axe's script; the pages are
otherwise served as readers get them, stylesheets included (colour contrast is checked).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from broadsheet.newsroom.tests import factories
from broadsheet.subscriptions.setup import plans_setup

from .conftest import artifact_path

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[3] / "tests" / "vendor" / "axe-core" / "axe.min.js"
EDITIONS = {
    "en-us": {"section": ("World", "world"), "free": "Dams run dry", "gated": "Inside the deal"},
    "es-es": {
        "section": ("Internacional", "internacional"),
        "free": "Los embalses se secan",
        "gated": "Dentro del acuerdo",
    },
}


def _violations(page, url: str) -> list[dict]:
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
            }));
        }"""
    )


@pytest.mark.parametrize("language", list(EDITIONS))
def test_axe_finds_no_violation_on_a_readers_pages(new_context, live_editions, language):
    edition = {e.locale.language_code: e for e in live_editions}[language]
    copy = EDITIONS[language]
    title, slug = copy["section"]
    section = factories.section_create(edition=edition, title=title, slug=slug)
    author = factories.author_create(name=f"Reporter {language}")
    free = factories.article_publish(
        section=section,
        title=copy["free"],
        access_level="free",
        tags=[f"tag-{language}"],
        authors=[author],
        body=[("paragraph", "<p>The first paragraph.</p>"), ("paragraph", "<p>More.</p>")],
    )
    gated = factories.article_publish(
        section=section, title=copy["gated"], access_level="subscribers"
    )
    plans_setup()
    page = new_context(bypass_csp=True).new_page()

    found = {}
    for name, path in {
        "home": f"/{language}/",
        "section": section.url,
        "article": free.url,
        "paywall": gated.url,
        "sign-in": f"/{language}/accounts/login/",
        "plans": f"/{language}/subscription/plans/",
    }.items():
        violations = _violations(page, path)
        page.screenshot(path=artifact_path(f"axe-{language}-{name}.png"), full_page=True)
        if violations:
            found[name] = violations

    assert not found, json.dumps(found, indent=2, ensure_ascii=False)
