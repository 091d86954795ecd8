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
from typing import Any
from xml.sax.saxutils import escape

from flask import current_app
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

# Noto Sans: one family with Latin (Turkish too), Cyrillic and Greek, whose sister Noto Sans
# Arabic shares its design; the DOCX names the same family (`letters.DOCX_FONT`).
REQUIRED = {"regular": "NotoSans-Regular.ttf", "bold": "NotoSans-Bold.ttf"}
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
    """The configured font folder lacks the TrueType fonts (with Cyrillic) packages need."""


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    italic: str
    bold_italic: str


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
        pdfmetrics.registerFont(TTFont(names[style], str(path)))
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
    document's title, and "page X of Y" in the package's language (`{n}` and `{total}`)."""

    fonts: Fonts
    reference: str
    title: str
    page: str


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
        self.drawString(MARGIN, FOOTER_Y, f"{footer.reference} · {footer.title}")
        self.doForm(_page_form(self.pages))
        self.restoreState()
        super().showPage()

    def save(self) -> None:
        for n in range(1, self.pages + 1):
            self.beginForm(_page_form(n), lowerx=0, lowery=0, upperx=PAGE[0], uppery=MARGIN)
            self.setFont(self.footer.fonts.regular, FOOTER_SIZE)
            self.setFillColor("#333333")
            label = self.footer.page.format(n=n, total=self.pages)
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


def styles(fonts: Fonts) -> Styles:
    """Paragraph styles in the package fonts (all text is Unicode, so never Helvetica)."""
    base = ParagraphStyle("body", fontName=fonts.regular, fontSize=10, leading=14)
    cell = ParagraphStyle("cell", base, fontSize=9, leading=11.5)
    return Styles(
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
        item=ParagraphStyle(
            "item",
            base,
            leftIndent=7 * mm,
            bulletIndent=1 * mm,
            spaceAfter=3,
            bulletFontName=fonts.regular,
        ),
        quote=ParagraphStyle("quote", base, fontName=fonts.italic, leftIndent=7 * mm, spaceAfter=6),
        cell=cell,
        cell_small=ParagraphStyle("cell_small", cell, fontSize=8.5),
        cell_head=ParagraphStyle("cell_head", cell, fontName=fonts.bold),
        cell_number=ParagraphStyle("cell_number", cell, alignment=TA_RIGHT),
        cell_head_number=ParagraphStyle(
            "cell_head_number", cell, fontName=fonts.bold, alignment=TA_RIGHT
        ),
    )


def title_block(style: Styles, title: str, *subtitles: str) -> list[object]:
    """The top of an annex or summary: its title, subtitle lines, then a little space."""
    return [
        Paragraph(escape(title), style.title),
        *(Paragraph(escape(line), style.subtitle) for line in subtitles),
        Spacer(1, 4 * mm),
    ]
