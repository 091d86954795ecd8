"""Country codes and their names in each language, from Babel's CLDR data."""

from __future__ import annotations

from functools import cache

from babel import Locale

# CLDR territory codes that are not countries or are placeholders.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})

ALPHABETS = {
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
}


def _sort_key(lang: str, name: str) -> tuple[int, ...]:
    """Alphabetical order for the language; Python's code-point order misplaces і, ї, є, ґ."""
    alphabet = ALPHABETS.get(lang, "")
    return tuple(alphabet.index(ch) if ch in alphabet else 100 + ord(ch) for ch in name.casefold())


@cache
def country_names(lang: str) -> dict[str, str]:
    """Code → localised name, in the language's alphabetical order."""
    territories = Locale.parse(lang).territories
    names = {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }
    return dict(sorted(names.items(), key=lambda item: _sort_key(lang, item[1])))


def country_name(code: str, lang: str) -> str:
    return country_names(lang).get(code, code)
