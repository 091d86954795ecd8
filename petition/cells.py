"""Spreadsheet cells that cannot run as formulas in Excel or LibreOffice."""

from __future__ import annotations

# What a spreadsheet may read as the start of a formula (or, for tab and CR, hide one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: str) -> str:
    """`value` with an apostrophe in front if it starts like a formula, else unchanged."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
