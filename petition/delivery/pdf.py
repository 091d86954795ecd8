"""PDF set-up shared by every document of a package: fonts, the page footer, fixed metadata.

Documents are made reproducible: ReportLab's invariant mode fixes the document id and
the internal timestamp, and the creation date written into the file is the package's
cut-off, so the same cut-off gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from flask import current_app
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from petition.delivery.rtl import Face, RtlParagraph, Span, draw_text, has_rtl

T = TypeVar("T")

# Noto Sans: one family with Latin (Turkish too), Cyrillic and Greek, whose sister Noto Sans
# Arabic shares its design and draws the Arabic letters; the DOCX names the same families
# (`letters.DOCX_FONT`, `letters.DOCX_ARABIC_FONT`).
REQUIRED = {
    "regular": "NotoSans-Regular.ttf",
    "bold": "NotoSans-Bold.ttf",
    "arabic": "NotoSansArabic-Regular.ttf",
    "arabic_bold": "NotoSansArabic-Bold.ttf",
}
OPTIONAL = {"italic": "NotoSans-Italic.ttf", "bold_italic": "NotoSans-BoldItalic.ttf"}
FAMILY = "PackageSans"
PAGE = A4
MARGIN = 20 * mm
FOOTER_Y = MARGIN - 8 * mm
FOOTER_SIZE = 8
CREATOR = "petition delivery package"
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
SPACES = re.compile(r"\s{2,}")
MISSING_LETTER = "\ufffd"  # Noto Sans has it: a visible mark where a letter could not be drawn


class FontsMissing(RuntimeError):
    """The configured font folder lacks the TrueType fonts (Latin, Cyrillic, Arabic) packages
    need."""


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    italic: str
    bold_italic: str
    arabic: str
    arabic_bold: str

    def face(self, font: str) -> Face:
        """The Latin font `font` with its Arabic sister, for right-to-left text."""
        bold = font in {self.bold, self.bold_italic}
        return Face(font, self.arabic_bold if bold else self.arabic)


def font_dir() -> Path:
    return Path(current_app.config["PDF_FONT_DIR"])


def require_fonts(folder: Path) -> None:
    """Raise FontsMissing, saying what to install, unless `folder` has the package fonts."""
    missing = [folder / name for name in REQUIRED.values() if not (folder / name).is_file()]
    if missing:
        raise FontsMissing(
            f"PDF fonts not found: {', '.join(map(str, missing))}. Set PDF_FONT_DIR to a "
            f"folder holding {' and '.join(REQUIRED.values())} (Debian: fonts-noto-core)."
        )


def package_fonts() -> Fonts:
    """Register the package fonts from `PDF_FONT_DIR` (once per folder) and name them."""
    folder = font_dir().resolve()
    require_fonts(folder)
    return _register(str(folder))


@cache
def _register(folder: str) -> Fonts:
    files = {**REQUIRED, **OPTIONAL}
    key = f"{FAMILY}-{hashlib.sha256(folder.encode()).hexdigest()[:8]}"
    names: dict[str, str] = {}
    for style, filename in files.items():
        path = Path(folder) / filename
        if not path.is_file():  # an optional style: fall back to its upright sibling
            names[style] = names["bold" if "bold" in style else "regular"]
            continue
        names[style] = f"{key}-{style}"
        # Only the Arabic fonts are shaped (HarfBuzz): the others draw as they always did.
        shaped = style.startswith("arabic")
        pdfmetrics.registerFont(TTFont(names[style], str(path), shapable=shaped))
    pdfmetrics.registerFontFamily(
        names["regular"],
        normal=names["regular"],
        bold=names["bold"],
        italic=names["italic"],
        boldItalic=names["bold_italic"],
    )
    return Fonts(**names)


def drawable(text: str, font: str) -> str:
    """`text` as `font` can draw it, with no empty boxes: control characters (tab, CR, …)
    become one space; a symbol the font has no glyph for (an emoji, a flag's regional
    indicators, a variation selector, a skin tone) is dropped, as an office would read the
    name without it; a letter or digit of a script the font lacks becomes U+FFFD, so a
    name never loses a letter unseen. Spaces left doubled by a drop become one."""
    covered = pdfmetrics.getFont(font).face.charToGlyph
    kept = []
    for char in CONTROL.sub(" ", text):
        if ord(char) in covered or char.isspace():
            kept.append(char)
        elif unicodedata.category(char)[0] in "LN":
            kept.append(MISSING_LETTER)
    return SPACES.sub(" ", "".join(kept)).strip()


def pdf_date(when: datetime) -> str:
    """A PDF date string (D:YYYYMMDDHHmmSS+00'00') for a UTC moment."""
    return when.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


@dataclass(frozen=True)
class Footer:
    """What the foot of every page of a package's PDF says: the package's reference, the
    document's title, and "page X of Y" in the package's language (`{n}` and `{total}`);
    mirrored in a right-to-left package."""

    fonts: Fonts
    reference: str
    title: str
    page: str
    rtl: bool = False


class PagedCanvas(Canvas):
    """A reproducible canvas that ends each page with its footer.

    The number of pages is known only when the document is saved, so each page shows a
    form XObject of its own for its "page X of Y", and `save` fills them all in.
    """

    def __init__(self, *args: Any, stamp: str, footer: Footer, **kwargs: Any) -> None:
        # The package font from the start: else each page and form names Helvetica too.
        kwargs["initialFontName"] = kwargs.get("initialFontName") or footer.fonts.regular
        super().__init__(*args, **kwargs)
        self.setDateFormatter(lambda *_: stamp)
        self.footer = footer
        self.pages = 0

    def showPage(self) -> None:
        self.pages += 1
        fonts, footer = self.footer.fonts, self.footer
        self.saveState()
        self.setFont(fonts.regular, FOOTER_SIZE)
        self.setFillColor("#333333")
        line = f"{footer.reference} · {footer.title}"
        if footer.rtl:
            face = fonts.face(fonts.regular)
            draw_text(
                self, PAGE[0] - MARGIN, FOOTER_Y, line, face=face, size=FOOTER_SIZE, align="right"
            )
        else:
            self.drawString(MARGIN, FOOTER_Y, line)
        self.doForm(_page_form(self.pages))
        self.restoreState()
        super().showPage()

    def save(self) -> None:
        for n in range(1, self.pages + 1):
            self.beginForm(_page_form(n), lowerx=0, lowery=0, upperx=PAGE[0], uppery=MARGIN)
            self.setFont(self.footer.fonts.regular, FOOTER_SIZE)
            self.setFillColor("#333333")
            label = self.footer.page.format(n=n, total=self.pages)
            if self.footer.rtl:
                face = self.footer.fonts.face(self.footer.fonts.regular)
                draw_text(self, MARGIN, FOOTER_Y, label, face=face, size=FOOTER_SIZE, align="left")
            else:
                self.drawRightString(PAGE[0] - MARGIN, FOOTER_Y, label)
            self.endForm()
        super().save()


def _page_form(n: int) -> str:
    return f"page{n}"


def canvas_maker(when: datetime, footer: Footer) -> Callable[..., Canvas]:
    """A canvas factory for Platypus: dates are `when`, every page ends with `footer`."""
    return partial(PagedCanvas, stamp=pdf_date(when), footer=footer)


def open_canvas(path: Path, *, lang: str, when: datetime, footer: Footer) -> Canvas:
    """A reproducible canvas for documents drawn directly (the long annex)."""
    canvas = PagedCanvas(
        str(path),
        stamp=pdf_date(when),
        footer=footer,
        pagesize=PAGE,
        invariant=1,
        pageCompression=1,
        lang=lang,
    )
    canvas.setTitle(footer.title)
    canvas.setAuthor(CREATOR)
    canvas.setCreator(CREATOR)
    canvas.setSubject(footer.title)
    return canvas


def document(path: Path, *, title: str, lang: str, author: str = CREATOR) -> SimpleDocTemplate:
    """A reproducible A4 Platypus document; build it with `canvasmaker=canvas_maker(...)`."""
    return SimpleDocTemplate(
        str(path),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        creator=CREATOR,
        subject=title,
        lang=lang,
        invariant=1,
        pageCompression=1,
    )


@dataclass(frozen=True)
class Styles:
    fonts: Fonts
    rtl: bool  # a right-to-left document: paragraphs aligned right, laid out by `rtl`
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    item: ParagraphStyle
    quote: ParagraphStyle
    cell: ParagraphStyle
    cell_small: ParagraphStyle
    cell_head: ParagraphStyle
    cell_number: ParagraphStyle
    cell_head_number: ParagraphStyle

    def para(self, text: str, style: ParagraphStyle, *, bullet: str = "") -> Flowable:
        """A paragraph of plain text (a newline breaks the line) in `style`; `rtl` lays out
        a right-to-left document's, and any with Arabic letters (a name) in another."""
        if self.rtl or has_rtl(text):
            return RtlParagraph([Span(text, self.fonts.face(style.fontName))], style, bullet=bullet)
        markup = escape(text).replace("\n", "<br/>")
        return Paragraph(markup, style, bulletText=bullet or None)

    def runs(self, runs: list[tuple[str, ParagraphStyle | str]], style: ParagraphStyle) -> Flowable:
        """A right-to-left paragraph of runs, each in its own font (bold, italic)."""
        spans = [
            Span(text, self.fonts.face(font if isinstance(font, str) else font.fontName))
            for text, font in runs
        ]
        return RtlParagraph(spans, style)

    def mirrored(self, row: list[T]) -> list[T]:
        """A table row as the document reads it: right to left in a right-to-left one."""
        return row[::-1] if self.rtl else row


def styles(fonts: Fonts, *, rtl: bool = False) -> Styles:
    """Paragraph styles in the package fonts (all text is Unicode, so never Helvetica); a
    right-to-left document's are aligned right, indented from the right, numbers left."""
    start = TA_RIGHT if rtl else TA_LEFT
    base = ParagraphStyle("body", fontName=fonts.regular, fontSize=10, leading=14, alignment=start)
    if rtl:  # Arabic letters need a little more room above and below the line
        base = ParagraphStyle("body", base, leading=16)
    cell = ParagraphStyle("cell", base, fontSize=9, leading=13 if rtl else 11.5)
    number_side = TA_LEFT if rtl else TA_RIGHT

    def indented(name: str, parent: ParagraphStyle, amount: float, **kw: Any) -> ParagraphStyle:
        side = "rightIndent" if rtl else "leftIndent"
        return ParagraphStyle(name, parent, **{side: amount}, **kw)

    return Styles(
        fonts=fonts,
        rtl=rtl,
        title=ParagraphStyle("title", base, fontName=fonts.bold, fontSize=16, leading=20),
        subtitle=ParagraphStyle("subtitle", base, textColor="#333333"),
        heading=ParagraphStyle(
            "heading",
            base,
            fontName=fonts.bold,
            fontSize=12,
            leading=16,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        body=ParagraphStyle("body", base, spaceAfter=6),
        small=ParagraphStyle("small", base, fontSize=8.5, leading=11),
        item=indented(
            "item", base, 7 * mm, bulletIndent=1 * mm, spaceAfter=3, bulletFontName=fonts.regular
        ),
        quote=indented("quote", base, 7 * mm, fontName=fonts.italic, spaceAfter=6),
        cell=cell,
        cell_small=ParagraphStyle("cell_small", cell, fontSize=8.5),
        cell_head=ParagraphStyle("cell_head", cell, fontName=fonts.bold),
        cell_number=ParagraphStyle("cell_number", cell, alignment=number_side),
        cell_head_number=ParagraphStyle(
            "cell_head_number", cell, fontName=fonts.bold, alignment=number_side
        ),
    )


def title_block(style: Styles, title: str, *subtitles: str) -> list[object]:
    """The top of an annex or summary: its title, subtitle lines, then a little space."""
    return [
        style.para(title, style.title),
        *(style.para(line, style.subtitle) for line in subtitles),
        Spacer(1, 4 * mm),
    ]
