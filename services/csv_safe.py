"""Spreadsheet-safe CSV cells: a cell a spreadsheet would run as a formula is neutralised.

A cell starting with = + - @, a tab or a carriage return gets a leading apostrophe
(OWASP "CSV injection"), so a name typed as `=HYPERLINK(...)` stays text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
