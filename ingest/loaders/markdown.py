"""Markdown: parsed with markdown-it so headings, lists and emphasis marks leave plain lines."""

from __future__ import annotations

from markdown_it import MarkdownIt

from wuxue.ingest.document import RawBlock, RawDocument
from wuxue.ingest.loaders.text import decode_text

_PARSER = MarkdownIt("commonmark")


def markdown_to_lines(source: str) -> list[str]:
    """One line per block (heading, paragraph line, list item, table row); inline marks dropped."""
    lines: list[str] = []
    for token in _PARSER.parse(source):
        if token.type == "inline":
            text = "".join(child.content for child in token.children or [] if child.type in {"text", "code_inline"})
            for part in text.split("\n"):
                lines.append(part)
            lines.append("")
        elif token.type in {"fence", "code_block"}:
            lines.extend(token.content.splitlines())
            lines.append("")
    return lines


def load(data: bytes, filename: str) -> RawDocument:
    lines = markdown_to_lines(decode_text(data, filename))
    return RawDocument(blocks=[RawBlock("\n".join(lines))], source_type="markdown")
