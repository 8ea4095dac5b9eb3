"""Writing tables as CSV and XLSX files, safe to open in a spreadsheet.

A cell that starts with =, +, - or @ (or a tab or carriage return) would run as a formula when
the file is opened ("CSV injection"): such text gets a leading apostrophe, which spreadsheets
show as plain text; an XLSX stores it as text, never as a formula. Numbers stay numbers. Reading files back is `domain.shipment_files.read_table`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

Cell = str | int | float | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31


def safe_cell(value: Cell) -> Cell:
    """Text that a spreadsheet will not evaluate; numbers and empty cells as they are."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value).lower()
    if isinstance(value, int | float):
        return value
    text = str(value).replace("\x00", "")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """What `safe_cell` protected, as it was (for files exported here and imported back)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads accents and Chinese), CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str = "Sheet"
) -> bytes:
    """One sheet, the header bold and frozen, columns as wide as their content (capped). Text
    is stored as text (never as a formula, whatever it starts with), numbers as numbers."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _sheet_title(title)
    widths = [len(str(h)) for h in header]
    for r, row in enumerate([list(header), *rows], start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # "=1+1" stays the text it is
            elif isinstance(value, bool):
                cell.value = str(value).lower()
            else:
                cell.value = value
            if r == 1:
                cell.font = Font(bold=True)
            if c <= len(widths):
                widths[c - 1] = max(widths[c - 1], min(60, len(str(value or ""))))
    sheet.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(8, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title.strip()[:MAX_SHEET_TITLE] or "Sheet"
