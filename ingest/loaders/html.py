"""HTML: visible text only; scripts, styles and other non-content elements are dropped."""

from __future__ import annotations

from bs4 import BeautifulSoup

from wuxue.ingest.document import RawBlock, RawDocument
from wuxue.ingest.loaders.text import decode_text

_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "head", "button", "form")
_BLOCKS = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "header", "footer", "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "td", "th",
)


def html_to_text(markup: str) -> tuple[str, str | None]:
    """Return (text with one line per block element, <title> if any)."""
    soup = BeautifulSoup(markup, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else None
    for element in soup(_DROP):
        element.decompose()
    for element in soup.find_all(_BLOCKS):
        element.insert_before("\n")
        element.insert_after("\n")
    return soup.get_text(""), title or None


def load(data: bytes, filename: str) -> RawDocument:
    text, title = html_to_text(decode_text(data, filename))
    return RawDocument(blocks=[RawBlock(text)], source_type="html", title_hint=title)
