"""The languages: the one list of them (site and letters), their names, and the language
of a page (every public page lives under /<lang>/)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, g, request, url_for
from flask_babel import get_locale

# The languages of the site, each with a complete catalogue.
LANGUAGES = ("en", "uk", "ru")
# The languages a delivery letter can be written in (their wording is in delivery/wording.py):
# the site's, and those of parties the site is not offered in. Independent of the site's.
LETTER_LANGUAGES = (*LANGUAGES, "tr", "ar", "fr", "it")
# Letter languages written right to left (their PDFs and DOCX are laid out so).
RIGHT_TO_LEFT = frozenset({"ar"})
# Each language named in itself, for the language switcher.
LANGUAGE_NAMES = {"en": "English", "uk": "Українська", "ru": "Русский"}


class CatalogueMissing(RuntimeError):
    """A language the site offers has no compiled catalogue: its pages would be in English."""


def require_catalogues(directory: Path) -> None:
    """Refuse to start unless every language in LANGUAGES has its compiled `.mo` file."""
    missing = [
        path
        for path in (directory / lang / "LC_MESSAGES" / "messages.mo" for lang in LANGUAGES)
        if not path.is_file()
    ]
    if missing:
        raise CatalogueMissing(
            f"compiled translations not found: {', '.join(map(str, missing))}. Build them with "
            "`make` (pybabel compile), or install the built wheel (`pip install .`)."
        )


def select_locale() -> str:
    """The page's language: the URL's prefix, else the browser's preference."""
    lang = g.get("lang")
    if lang:
        return str(lang)
    return preferred_language()


def preferred_language() -> str:
    return request.accept_languages.best_match(LANGUAGES) or "en"


def bind_language(bp: Blueprint) -> None:
    """Make `lang` a URL prefix of every route of `bp`, validated and filled in by url_for."""

    @bp.url_value_preprocessor
    def take_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
        lang = (values or {}).pop("lang", None)
        if lang not in LANGUAGES:
            abort(404)
        g.lang = lang

    @bp.url_defaults
    def add_lang(endpoint: str, values: dict[str, Any]) -> None:
        if "lang" not in values:  # not `setdefault`: it would match Accept-Language every time
            values["lang"] = g.get("lang") or preferred_language()


def language_links(**keep: str | None) -> list[tuple[str, str, str, bool]]:
    """(code, name, url, is_current) for the switcher: the same page in each language, with
    the query arguments `keep` (a partner's share code, once checked)."""
    endpoint, args = request.endpoint, {**(request.view_args or {}), **keep}
    current = g.get("lang")
    links = []
    for code in LANGUAGES:
        if endpoint and "lang" in (request.url_rule.arguments if request.url_rule else ()):
            url = url_for(endpoint, **{**args, "lang": code})
        else:
            url = url_for("campaigns.index", lang=code)
        links.append((code, LANGUAGE_NAMES[code], url, code == current))
    return links


def current_language() -> str:
    """The language of the page being built, for country names and dates."""
    locale = get_locale()
    return locale.language if locale else "en"


def language_names(codes: Sequence[str] = LANGUAGES) -> dict[str, str]:
    """The site's languages (or `codes`) named in the reader's own language ("Ukrainian",
    "украинский", …), from Babel's locale data."""
    locale = get_locale()
    names = locale.languages if locale is not None else {}
    return {code: names.get(code, code) for code in codes}


def letter_language_names() -> dict[str, str]:
    """Every letter language named in the reader's language: the site's first."""
    return language_names(LETTER_LANGUAGES)
