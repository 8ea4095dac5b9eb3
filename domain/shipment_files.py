"""Reading an admin's bulk status file (CSV or XLSX) into postings, row by row, with every
problem named by its row number. Which shipments the rows name, and whether each event may
follow the one before, is checked against the database afterwards (`services.shipments`).

Columns (a header row is optional; with one, the columns may come in any order):

    shipment | event | time | note | amount | currency | eta

`shipment` is a shipment id or its tracking number; `time` is ISO (`2027-01-05 14:30`, in the
admin's time zone unless it says otherwise); `amount` and `currency` are for `duties_requested`;
for `exception`, `note` starts with the problem (`delay`, `customs_hold`, `damage`) and `eta`
may hold a new ETA.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.shipments import Posting, PostingError, Step, parse_posting

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
COLUMNS = ("shipment", "event", "time", "note", "amount", "currency", "eta")
ALIASES = {
    "shipment": "shipment", "shipment_id": "shipment", "id": "shipment", "tracking": "shipment",
    "tracking_number": "shipment", "ref": "shipment", "event": "event", "status": "event",
    "step": "event", "time": "time", "date": "time", "at": "time", "timestamp": "time",
    "note": "note", "comment": "note", "amount": "amount", "duties": "amount",
    "currency": "currency", "eta": "eta", "new_eta": "eta",
}  # fmt: skip


class FileError(ValueError):
    """The file as a whole cannot be read (`code`: too_big, not_a_table, empty, too_many_rows)."""

    def __init__(self, code: str, value: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.value = value


@dataclass(frozen=True)
class FileRow:
    number: int  # as a spreadsheet numbers it (the header is row 1)
    ref: str
    posting: Posting
    occurred_at: datetime


@dataclass(frozen=True)
class RowError:
    number: int
    error: PostingError


def _cell(value: object, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):  # an XLSX date cell: local time of the admin
        moment = value if value.tzinfo else value.replace(tzinfo=zone)
        return moment.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\x00", "").strip()


def read_table(data: bytes, filename: str, zone: ZoneInfo) -> list[list[str]]:
    """The file's rows as text cells."""
    if len(data) > MAX_BYTES:
        raise FileError("too_big", str(MAX_BYTES // 1024 // 1024))
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - any unreadable workbook is the same answer
            raise FileError("not_a_table", filename) from error
        try:  # read-only sheets are parsed lazily: a broken one fails here
            sheet = book.worksheets[0] if book.worksheets else None
            if sheet is None:
                raise FileError("empty")
            rows = [[_cell(v, zone) for v in row] for row in sheet.iter_rows(values_only=True)]
        except FileError:
            raise
        except Exception as error:  # noqa: BLE001
            raise FileError("not_a_table", filename) from error
        finally:
            book.close()
        return rows
    if name.endswith((".csv", ".txt")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FileError("not_utf8", filename) from error
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = max(",;\t", key=first.count)  # the header's (or first row's) separator
        try:
            return [[cell.replace("\x00", "").strip() for cell in row]
                    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]  # fmt: skip
        except csv.Error as error:  # a field of 128 KB, a stray line break, a binary file
            raise FileError("not_a_table", filename) from error
    raise FileError("not_a_table", filename)


def parse_time(text: str, zone: ZoneInfo) -> datetime:
    """ISO date or date and time; a time without an offset is in `zone`."""
    value = text.strip().replace("/", "-")
    if not value:
        raise ValueError("no time")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:  # year 1 in a zone ahead of UTC, or year 9999 behind
        raise ValueError("out of range") from error


def read_rows(
    table: list[list[str]], *, zone: ZoneInfo, currency: str | None = None
) -> tuple[list[FileRow], list[RowError]]:
    """Postings from the table's rows, and the rows that cannot be read (blank rows skipped)."""
    rows = [(number, row) for number, row in enumerate(table, start=1) if any(row)]
    if not rows:
        raise FileError("empty")
    header = [ALIASES.get("_".join(c.lower().split()), "") for c in rows[0][1]]
    if "event" in header and "shipment" in header:
        columns = header
        rows = rows[1:]
    else:
        columns = list(COLUMNS)
    if not rows:
        raise FileError("empty")
    if len(rows) > MAX_ROWS:
        raise FileError("too_many_rows", str(MAX_ROWS))
    found: list[FileRow] = []
    errors: list[RowError] = []
    for number, row in rows:
        cells = {name: row[i] for i, name in enumerate(columns) if name and i < len(row)}
        ref = cells.get("shipment", "").lstrip("#").strip()
        if not ref:
            errors.append(RowError(number, PostingError("no_shipment")))
            continue
        event = cells.get("event", "")
        try:
            when = parse_time(cells.get("time", ""), zone)
        except ValueError:
            errors.append(RowError(number, PostingError("bad_time", cells.get("time", ""))))
            continue
        rest = cells.get("note", "")
        try:
            step_text = event.strip().lower().replace("-", "_").replace(" ", "_")
            if step_text == Step.DUTIES_REQUESTED:
                rest = " ".join(
                    part for part in (cells.get("amount", ""), cells.get("currency", ""), rest)
                    if part
                )  # fmt: skip
            elif step_text == Step.EXCEPTION and cells.get("eta"):
                eta_words = rest.split(maxsplit=1)
                rest = " ".join([*eta_words[:1], "eta=" + cells["eta"], *eta_words[1:]])
            posting = parse_posting(
                event, rest, currency=currency, parse_date=lambda t: parse_time(t, zone)
            )
        except PostingError as error:
            errors.append(RowError(number, error))
            continue
        found.append(FileRow(number, ref, posting, when))
    return found, errors
