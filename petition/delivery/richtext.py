"""Staff-written Markdown as plain blocks (paragraphs, headings, list items, quotes) of
styled runs, which the PDF and the DOCX letter each lay out in their own way.

The Markdown goes through the same renderer and sanitiser as the public pages, so raw
HTML in the source never reaches a letter: only the text of allowed elements does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from petition.campaigns.services import render_markdown

BLOCK_TAGS = {"p", "h2", "h3", "li", "blockquote"}
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Block:
    """kind: paragraph, heading, bullet, numbered or quote; `marker` is "•" or "3."."""

    kind: str
    runs: list[Run] = field(default_factory=list)
    marker: str = ""
    level: int = 0

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


class _BlockParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.lists: list[list[int]] = []  # per open list: [next number] or [] for bullets
        self.bold = self.italic = 0
        self.quote = 0
        self.href: str | None = None
        self.link_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"ul", "ol"}:
            self._finish()
            self.lists.append([1] if tag == "ol" else [])
        elif tag == "li":
            self._start(self._list_item())
        elif tag in BLOCK_TAGS:
            self._start_plain(tag)
        elif tag in {"strong", "b"}:
            self.bold += 1
        elif tag in {"em", "i"}:
            self.italic += 1
        elif tag == "br":
            self._add("\n")
        elif tag == "a":
            self.href, self.link_text = dict(attrs).get("href"), ""

    def handle_endtag(self, tag: str) -> None:
        if tag in {"ul", "ol"} and self.lists:
            self._finish()
            self.lists.pop()
        elif tag in BLOCK_TAGS:
            self._finish()
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
        elif tag in {"strong", "b"}:
            self.bold = max(0, self.bold - 1)
        elif tag in {"em", "i"}:
            self.italic = max(0, self.italic - 1)
        elif tag == "a":
            if self.href and self.href.strip() != self.link_text.strip():
                self._add(f" ({self.href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        text = SPACES.sub(" ", data)
        if self.current is None and not text.strip():
            return
        if self.href is not None:
            self.link_text += text
        self._add(text)

    def close(self) -> None:
        super().close()
        self._finish()

    def _list_item(self) -> Block:
        level = max(0, len(self.lists) - 1)
        if self.lists and self.lists[-1]:
            number = self.lists[-1][0]
            self.lists[-1][0] += 1
            return Block("numbered", marker=f"{number}.", level=level)
        return Block("bullet", marker="•", level=level)

    def _start_plain(self, tag: str) -> None:
        if tag == "blockquote":
            self._finish()
            self.quote += 1
            return
        if tag == "p" and self.current is not None and not self.current.text.strip():
            return  # a loose list item's paragraph: keep the item
        kind = "heading" if tag in {"h2", "h3"} else "quote" if self.quote else "paragraph"
        self._start(Block(kind))

    def _start(self, block: Block) -> None:
        self._finish()
        self.current = block

    def _add(self, text: str) -> None:
        if self.current is None:
            self.current = Block("quote" if self.quote else "paragraph")
        if self.current.runs and self.current.runs[-1].text.endswith((" ", "\n")):
            text = text.lstrip(" ")
        elif not self.current.runs:
            text = text.lstrip()
        if text:
            self.current.runs.append(Run(text, bold=self.bold > 0, italic=self.italic > 0))

    def _finish(self) -> None:
        block, self.current = self.current, None
        if block is None or not block.text.strip():
            return
        last = block.runs[-1]
        block.runs[-1] = Run(last.text.rstrip(), last.bold, last.italic)
        self.blocks.append(block)


def markdown_blocks(source: str) -> list[Block]:
    """Blocks of plain text with bold and italic runs, from sanitised Markdown."""
    parser = _BlockParser()
    parser.feed(str(render_markdown(source)))
    parser.close()
    return parser.blocks


def fill_placeholders(template: str, values: dict[str, str]) -> str:
    """Replace {target}, {date}, … by their values; any other brace is left as written."""
    pattern = re.compile(r"\{(" + "|".join(map(re.escape, values)) + r")\}")
    return pattern.sub(lambda found: values[found.group(1)], template)
