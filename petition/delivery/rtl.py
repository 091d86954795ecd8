"""Right-to-left text in a package's PDFs: Arabic letters joined and lines laid out in the
order the Unicode bidi algorithm gives, with Latin names, references and numbers inside.

ReportLab shapes text with HarfBuzz (`uharfbuzz`, its `shaping` extra), but its own
right-to-left line layout needs `rlbidi`, which is not on PyPI. So lines are broken here
in reading (logical) order, each line's embedding levels come from python-bidi, its pieces
(one level and one font each) are put in display order (rule L2), and each piece is drawn
by ReportLab: an Arabic piece shaped by HarfBuzz, which writes it right to left itself.
The PDF keeps the Unicode of every letter, so its text can be searched and copied.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from bidi import algorithm
from bidi.mirror import MIRRORED
from reportlab.lib.abag import ABag
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, shapeFragWord
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

STRONG_RTL = {"R", "AL"}
RIGHT_TO_LEFT = {"R", "AL", "AN"}
SPACE = re.compile(r"\s+")
MISSING_LETTER = "\ufffd"
FEATURES = {"kern": True, "liga": False, "dlig": False}


@dataclass(frozen=True)
class Face:
    """One weight of the package type: the Latin font and its Arabic sister."""

    latin: str
    arabic: str


@dataclass(frozen=True)
class Span:
    """Some text in one weight (a run of a paragraph: bold, or not)."""

    text: str
    face: Face


@dataclass(frozen=True)
class Piece:
    """Part of a line in one embedding level and one font, in reading order."""

    text: str
    font: str
    level: int

    @property
    def rtl(self) -> bool:
        return self.level % 2 == 1


def has_rtl(text: str) -> bool:
    """Whether `text` has a right-to-left letter (Arabic, Hebrew, …)."""
    return any(unicodedata.bidirectional(char) in STRONG_RTL for char in text)


def _covered(font: str, char: str) -> bool:
    return ord(char) in pdfmetrics.getFont(font).face.charToGlyph


def _font_of(char: str, face: Face, previous: str | None) -> str | None:
    """The font a character is drawn in: Arabic letters and marks in the Arabic font,
    Latin and other letters in the Latin one, punctuation and digits in the font of the
    letters before them (where that font has them). None when neither font has it."""
    kind = unicodedata.bidirectional(char)
    if kind in RIGHT_TO_LEFT or (kind == "NSM" and previous == face.arabic):
        return face.arabic if _covered(face.arabic, char) else None
    if unicodedata.category(char)[0] == "L":
        return face.latin if _covered(face.latin, char) else None
    for font in (previous, face.latin, face.arabic):
        if font is not None and _covered(font, char):
            return font
    return None


def _drawable(spans: Iterable[Span]) -> list[tuple[str, Face]]:
    """Each character with its weight: a letter neither font has becomes U+FFFD, a symbol
    neither has (an emoji, a flag) is dropped, as `pdf.drawable` does."""
    chars: list[tuple[str, Face]] = []
    for span in spans:
        for char in span.text:
            if char == "\n":
                chars.append(("\n", span.face))
            elif char.isspace():
                chars.append((" ", span.face))
            elif _font_of(char, span.face, None) is not None or _covered(span.face.arabic, char):
                chars.append((char, span.face))
            elif unicodedata.category(char)[0] in "LN":
                chars.append((MISSING_LETTER, span.face))
    return chars


def levels(text: str, *, rtl: bool) -> list[int]:
    """The embedding level of each character of a line (rules P to I of the algorithm)."""
    storage = algorithm.get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    algorithm.get_embedding_levels(text, storage)
    algorithm.explicit_embed_and_overrides(storage)
    algorithm.resolve_weak_types(storage, False)
    algorithm.resolve_neutral_types(storage, False)
    algorithm.resolve_implicit_levels(storage, False)
    return [char["level"] for char in storage["chars"]]


def pieces(chars: Sequence[tuple[str, Face]], *, rtl: bool) -> list[Piece]:
    """A line's pieces in reading order, each of one level and one font."""
    text = "".join(char for char, _ in chars)
    line_levels = levels(text, rtl=rtl)
    out: list[Piece] = []
    previous: str | None = None
    for (char, face), level in zip(chars, line_levels, strict=True):
        font = _font_of(char, face, previous) or face.latin
        previous = font if not char.isspace() else previous
        if out and out[-1].level == level and out[-1].font == font:
            out[-1] = Piece(out[-1].text + char, font, level)
        else:
            out.append(Piece(char, font, level))
    return out


def display_order(line: list[Piece]) -> list[Piece]:
    """Rule L2: from the highest level down to the lowest odd one, reverse every run of
    pieces at that level or higher."""
    if not line:
        return line
    ordered = list(line)
    highest = max(piece.level for piece in ordered)
    lowest_odd = (
        min(piece.level for piece in ordered if piece.rtl)
        if any(piece.rtl for piece in ordered)
        else highest + 1
    )
    for level in range(highest, lowest_odd - 1, -1):
        index = 0
        while index < len(ordered):
            if ordered[index].level >= level:
                end = index
                while end < len(ordered) and ordered[end].level >= level:
                    end += 1
                ordered[index:end] = reversed(ordered[index:end])
                index = end
            else:
                index += 1
    return ordered


def _glyphs(piece: Piece, size: float) -> str:
    """What to draw for a piece, left to right: an Arabic piece shaped by HarfBuzz (which
    lays it out right to left); any other right-to-left piece (spaces, punctuation)
    reversed, with brackets mirrored as the algorithm's rule L4 says."""
    if piece.rtl and not _is_shaped(piece):
        return "".join(MIRRORED.get(char, char) for char in reversed(piece.text))
    if _is_shaped(piece):
        return _shape(piece.text, piece.font, size)
    return piece.text


def _shape(text: str, font: str, size: float) -> str:
    """`text` shaped by HarfBuzz: joined forms, the required ligatures (lam-alef) and
    kerning, but no optional ligature, whose glyph has no letter of its own in the font: a
    reader copying the text would lose the letters it joins."""
    word = [pdfmetrics.stringWidth(text, font, size), (ABag(fontName=font, fontSize=size), text)]
    shaped = shapeFragWord(word, features=FEATURES, force=True)
    return shaped[1][1]


def _is_shaped(piece: Piece) -> bool:
    return any(unicodedata.bidirectional(char) in STRONG_RTL for char in piece.text)


def _width(glyphs: str, font: str, size: float) -> float:
    if isinstance(glyphs, ShapedStr):
        return sum(data.x_advance for data in glyphs.__shapeData__) * size / 1000
    return pdfmetrics.stringWidth(glyphs, font, size)


@dataclass(frozen=True)
class Line:
    """A laid-out line: its text in reading order, what to draw left to right, its width."""

    text: str
    drawn: list[tuple[str, str]]  # (glyphs, font)
    width: float


def lay_out(chars: Sequence[tuple[str, Face]], size: float, *, rtl: bool) -> Line:
    drawn = []
    width = 0.0
    for piece in display_order(pieces(chars, rtl=rtl)):
        glyphs = _glyphs(piece, size)
        drawn.append((glyphs, piece.font))
        width += _width(glyphs, piece.font, size)
    return Line("".join(char for char, _ in chars), drawn, width)


def draw_line(canvas: Canvas, x: float, y: float, line: Line, size: float) -> None:
    """Draw a laid-out line from `x` rightwards. Glyphs go in display order, each with its
    letter, as word processors write Arabic: readers put them back in reading order. (An
    `/ActualText` of the line in reading order was tried: poppler reverses it again.)"""
    for glyphs, font in line.drawn:
        canvas.setFont(font, size)
        canvas.drawString(x, y, glyphs)
        x += _width(glyphs, font, size)


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, *, face: Face, size: float, align: str
) -> float:
    """Draw one line of text, its end at `x` (`align` "right") or its start (`left`);
    return its width."""
    line = lay_out(_drawable([Span(text, face)]), size, rtl=has_rtl(text))
    start = x - line.width if align == "right" else x
    draw_line(canvas, start, y, line, size)
    return line.width


def _words(chars: Sequence[tuple[str, Face]]) -> Iterator[list[tuple[str, Face]]]:
    word: list[tuple[str, Face]] = []
    for char in chars:
        if char[0] == " ":
            if word:
                yield word
            word = []
        else:
            word.append(char)
    if word:
        yield word


def wrap(
    chars: Sequence[tuple[str, Face]], width: float, size: float, *, rtl: bool
) -> list[list[tuple[str, Face]]]:
    """Break a paragraph into lines no wider than `width`, in reading order; a newline
    ends a line; a word wider than a line stands alone on its line."""
    lines: list[list[tuple[str, Face]]] = []
    segment: list[tuple[str, Face]] = []
    for char in chars:
        if char[0] == "\n":
            lines.extend(_wrap_one(segment, width, size, rtl=rtl) or [[]])
            segment = []
        else:
            segment.append(char)
    lines.extend(_wrap_one(segment, width, size, rtl=rtl) or [[]])
    return lines


def _wrap_one(
    chars: Sequence[tuple[str, Face]], width: float, size: float, *, rtl: bool
) -> list[list[tuple[str, Face]]]:
    lines: list[list[tuple[str, Face]]] = []
    current: list[tuple[str, Face]] = []
    for word in _words(chars):
        candidate = [*current, (" ", word[0][1]), *word] if current else word
        if current and lay_out(candidate, size, rtl=rtl).width > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


class RtlParagraph(Flowable):
    """A paragraph read right to left: lines aligned right (or centred), a bullet or
    number in the right margin, split across pages line by line."""

    def __init__(
        self,
        spans: Sequence[Span],
        style: ParagraphStyle,
        *,
        bullet: str = "",
        lines: list[list[tuple[str, Face]]] | None = None,
    ) -> None:
        super().__init__()
        self.spans = list(spans)
        self.style = style
        self.bullet = bullet
        self._lines = lines
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        self.keepWithNext = getattr(style, "keepWithNext", 0)

    def _text_width(self, available: float) -> float:
        return available - self.style.leftIndent - self.style.rightIndent

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        if self._lines is None:
            chars = _drawable(self.spans)
            self._lines = wrap(
                chars, self._text_width(availWidth), self.style.fontSize, rtl=True
            ) or [[]]
        self.height = len(self._lines) * self.style.leading
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        lines = self._lines or []
        fits = int(availHeight // self.style.leading)
        if fits < 1 or fits >= len(lines):
            return []
        first = RtlParagraph(self.spans, self.style, bullet=self.bullet, lines=lines[:fits])
        rest = RtlParagraph(self.spans, self.style, lines=lines[fits:])
        first.spaceAfter = 0
        rest.spaceBefore = 0
        return [first, rest]

    def draw(self) -> None:
        style, canvas = self.style, self.canv
        size = style.fontSize
        right = self.width - style.rightIndent
        baseline = self.height - style.leading + (style.leading - size) / 2 + size * 0.2
        for index, chars in enumerate(self._lines or []):
            line = lay_out(chars, size, rtl=True)
            y = baseline - index * style.leading
            if style.alignment == TA_CENTER:
                x = style.leftIndent + (self._text_width(self.width) - line.width) / 2
            elif style.alignment == TA_LEFT:
                x = style.leftIndent
            else:
                x = right - line.width
            draw_line(canvas, x, y, line, size)
            if index == 0 and self.bullet:
                face = self.spans[0].face if self.spans else None
                if face is not None:
                    draw_text(
                        canvas,
                        self.width - style.bulletIndent,
                        y,
                        self.bullet,
                        face=face,
                        size=size,
                        align="right",
                    )


def spans_of(runs: Iterable[tuple[str, bool]], regular: Face, bold: Face) -> list[Span]:
    """Spans from (text, bold) runs."""
    return [Span(SPACE.sub(" ", text), bold if is_bold else regular) for text, is_bold in runs]
