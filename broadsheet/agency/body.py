"""An agency's HTML made safe and shaped as an article body (newsroom.blocks.ArticleBodyBlock).

Only what the body's rich text allows survives: paragraphs, bold, italic, http(s) and mailto
links, lists and line breaks; headings become subheads. Everything else is unwrapped to its
text, and script, style, iframe, object, embed, form, svg and the like are dropped with their
content. No attribute survives but a link's href, so no on* handler or style can.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

DROPPED = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "noscript",
    "template",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "head",
    "title",
    "video",
    "audio",
    "canvas",
    "picture",
}
VOID = {"area", "base", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}
INLINE = {"b": "b", "strong": "b", "i": "i", "em": "i"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LISTS = {"ul", "ol"}
LINK_SCHEMES = ("http://", "https://", "mailto:")
_CONTROLS = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def strip_controls(text: str) -> str:
    """Without control characters (NUL above all, which PostgreSQL refuses in text)."""
    return text.translate(_CONTROLS)


class _BodyBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self.rich: list[str] = []  # the paragraphs and lists of the current rich text block
        self.line: list[str] = []  # the paragraph or list item being written
        self.inline: list[str] = []  # open inline tags of the current line
        self.list_kind: str | None = None
        self.list_depth = 0
        self.items: list[str] = []
        self.heading: list[str] | None = None
        self.dropping = 0

    # -- lines, lists and blocks --

    def _end_line(self) -> None:
        for tag in reversed(self.inline):
            self.line.append(f"</{tag}>")
        self.inline = []
        html = "".join(self.line).strip()
        self.line = []
        while html.endswith("<br/>"):
            html = html[: -len("<br/>")].rstrip()
        if not _visible(html):
            return
        if self.list_kind:
            self.items.append(f"<li>{html}</li>")
        else:
            self.rich.append(f"<p>{html}</p>")

    def _end_list(self) -> None:
        self._end_line()
        if self.items:
            self.rich.append(f"<{self.list_kind}>{''.join(self.items)}</{self.list_kind}>")
        self.items = []
        self.list_kind = None

    def _end_rich(self) -> None:
        if self.list_kind:
            self._end_list()
        self._end_line()
        if self.rich:
            self.blocks.append(("paragraph", "".join(self.rich)))
        self.rich = []

    def close(self) -> None:
        super().close()
        if self.heading is not None:
            self._end_heading()
        self._end_rich()

    def _end_heading(self) -> None:
        text = " ".join("".join(self.heading or []).split())
        self.heading = None
        if text:
            self._end_rich()
            self.blocks.append(("subhead", text[:250]))

    # -- the parser's events --

    def handle_starttag(self, tag: str, attrs) -> None:
        if self.dropping:
            if tag in DROPPED and tag not in VOID:
                self.dropping += 1
            return
        if tag in DROPPED:
            if tag not in VOID:
                self.dropping = 1
            return
        if self.heading is not None:
            return
        if tag in HEADINGS:
            self._end_line()
            self.heading = []
        elif tag in LISTS:
            # Nested lists are flattened into the outer one.
            self.list_depth += 1
            if self.list_depth == 1:
                self._end_line()
                self.list_kind = tag
        elif tag == "li":
            self._end_line()
        elif tag in INLINE:
            self.line.append(f"<{INLINE[tag]}>")
            self.inline.append(INLINE[tag])
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            if href.lower().startswith(LINK_SCHEMES):
                self.line.append(f'<a href="{escape(href, quote=True)}">')
                self.inline.append("a")
        elif tag == "br":
            self.line.append("<br/>")
        elif tag not in VOID:
            # Any other element (p, div, blockquote, table...) ends the line it interrupts.
            self._end_line()

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag in DROPPED:
                self.dropping -= 1
            return
        if self.heading is not None:
            if tag in HEADINGS:
                self._end_heading()
            return
        if tag in LISTS:
            self.list_depth = max(0, self.list_depth - 1)
            if self.list_depth == 0 and self.list_kind:
                self._end_list()
        elif tag == "li":
            self._end_line()
        elif tag in INLINE or tag == "a":
            name = INLINE.get(tag, tag)
            if name in self.inline:
                # Close what was opened inside it too, so that the markup stays balanced.
                while self.inline:
                    open_tag = self.inline.pop()
                    self.line.append(f"</{open_tag}>")
                    if open_tag == name:
                        break
        elif tag not in VOID:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.heading is not None:
            self.heading.append(data)
            return
        text = " ".join(data.split())
        if not text:
            if data and self.line:
                self.line.append(" ")
            return
        if data[:1].isspace() and self.line:
            text = " " + text
        if data[-1:].isspace():
            text += " "
        self.line.append(escape(text, quote=False))


def _visible(html: str) -> bool:
    return bool(html_to_text(html))


def html_to_blocks(html: str) -> list[tuple[str, str]]:
    """The body's StreamField blocks for an agency's HTML: ("paragraph", rich text HTML) and
    ("subhead", text)."""
    builder = _BodyBuilder()
    builder.feed(strip_controls(html or ""))
    builder.close()
    return builder.blocks


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in DROPPED and tag not in VOID:
            self.dropping += 1
        elif tag not in INLINE and tag != "a":
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED and tag not in VOID:
            self.dropping = max(0, self.dropping - 1)
        elif tag not in INLINE and tag != "a":
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The text a reader would see of some HTML, whitespace collapsed."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return " ".join(strip_controls(html).split())
    extractor = _TextExtractor()
    extractor.feed(strip_controls(html))
    extractor.close()
    return " ".join("".join(extractor.parts).split())
