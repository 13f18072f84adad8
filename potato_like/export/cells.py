"""Spreadsheet-safe table cells (OWASP "CSV injection").

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)`,
`=WEBSERVICE(...)`, DDE), and tab or carriage return can hide such a start. Annotators write free
text, "Other" boxes and their own usernames, so every text cell that starts with one of those
characters gets a leading `'`, which spreadsheets show as text and do not evaluate.

Values the writer knows are numbers (ints and floats, such as a slider's typed answer) are not
text and stay as they are: `-3` in a numeric column remains the number -3. A text cell holding
"-3" is escaped like any other text: a spreadsheet then shows '-3 as text, the price of
treating all text the same way (OWASP's advice).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The cell to write: text that a spreadsheet would evaluate is prefixed with `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
