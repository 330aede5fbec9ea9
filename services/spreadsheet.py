"""CSV cells a spreadsheet will not run: the one guard every CSV export goes through.

A cell starting with =, +, -, @, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets (OWASP "CSV Injection"): a billing address typed as
`=HYPERLINK("http://…")` would become a live link in the agency's accounting sheet.
Such a cell is prefixed with a single quote, which the spreadsheet shows as text. A
plain number ("-82,50" on a credit note) is no formula and stays as it is.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NUMBER = re.compile(r"^[+-]?\d[\d\u202f ]*(?:[.,]\d+)?(?: ?%)?$")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.match(text):
        return "'" + text
    return text


def safe_row(values: list[object]) -> list[str]:
    return [safe_cell(value) for value in values]
