"""PDF set-up shared by every document of a package: fonts with Cyrillic, fixed metadata.

Documents are made reproducible: ReportLab's invariant mode fixes the document id and
the internal timestamp, and the creation date written into the file is the package's
cut-off, so the same cut-off gives the same bytes.
"""

from __future__ import annotations

import hashlib
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

REQUIRED = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
OPTIONAL = {"italic": "DejaVuSans-Oblique.ttf", "bold_italic": "DejaVuSans-BoldOblique.ttf"}
FAMILY = "PackageSans"
PAGE = A4
MARGIN = 20 * mm
CREATOR = "petition delivery package"


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
            f"folder holding {' and '.join(REQUIRED.values())} (Debian: fonts-dejavu-core)."
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


def pdf_date(when: datetime) -> str:
    """A PDF date string (D:YYYYMMDDHHmmSS+00'00') for a UTC moment."""
    return when.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


def dated_canvas(stamp: str, *args: Any, **kwargs: Any) -> Canvas:
    canvas = Canvas(*args, **kwargs)
    canvas.setDateFormatter(lambda *_: stamp)
    return canvas


def canvas_maker(when: datetime) -> Callable[..., Canvas]:
    """A canvas factory for Platypus whose creation and modification dates are `when`."""
    return partial(dated_canvas, pdf_date(when))


def open_canvas(path: Path, *, title: str, lang: str, when: datetime) -> Canvas:
    """A reproducible canvas for documents drawn directly (the long annex)."""
    canvas = dated_canvas(
        pdf_date(when), str(path), pagesize=PAGE, invariant=1, pageCompression=1, lang=lang
    )
    canvas.setTitle(title)
    canvas.setAuthor(CREATOR)
    canvas.setCreator(CREATOR)
    canvas.setSubject(title)
    return canvas


def document(path: Path, *, title: str, lang: str) -> SimpleDocTemplate:
    """A reproducible A4 Platypus document; build it with `canvasmaker=canvas_maker(...)`."""
    return SimpleDocTemplate(
        str(path),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=CREATOR,
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


def page_footer(fonts: Fonts, page_label: str, title: str) -> Callable[[Canvas, Any], None]:
    """A Platypus page callback: the document's title and its page number, small."""

    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 8)
        canvas.drawString(MARGIN, MARGIN - 8 * mm, title)
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN - 8 * mm, page_label.format(n=doc.page))
        canvas.restoreState()

    return draw


def title_block(style: Styles, title: str, *subtitles: str) -> list[object]:
    """The top of an annex or summary: its title, subtitle lines, then a little space."""
    return [
        Paragraph(escape(title), style.title),
        *(Paragraph(escape(line), style.subtitle) for line in subtitles),
        Spacer(1, 4 * mm),
    ]
