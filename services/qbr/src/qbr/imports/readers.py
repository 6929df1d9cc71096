"""Reading an import file (CSV or XLSX) into rows with their line numbers, and parsing its cells.

The first row names the columns (any case; spaces and hyphens count as underscores); blank rows are
skipped; every row keeps the line number a person sees in a spreadsheet or editor (the header is line
1), so a rejected row can be found. XLSX files are read with openpyxl (first sheet unless one is named);
cells keep their types, so an Excel date cell in the period column is read as its month.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from qbr.numbers import ValueOutOfRange, storable_value
from qbr.periods import MAX_YEAR, MIN_YEAR, InvalidPeriod, Month

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_WHOLE = re.compile(r"[0-9]+")
# Counts and ids are PostgreSQL integers.
MAX_COUNT = 2_147_483_647


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, wrong type, missing or unknown columns)."""


class CellError(ValueError):
    """One cell's value is unusable; the message says why, for the rejected row's report."""


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, Any]]]


def normalise_header(value: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(value if value is not None else "").strip().lower())


def read_table(path: Path, sheet: str | None = None) -> Table:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    if suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise ImportFileError("--sheet applies to XLSX files only")
        return _table(_csv_lines(path), path)
    if suffix in XLSX_SUFFIXES:
        return _table(_xlsx_lines(path, sheet), path)
    raise ImportFileError(f"{path}: unsupported file type '{suffix}'; use .csv or .xlsx")


def _csv_lines(path: Path) -> list[tuple[int, Sequence[Any]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(f"{path}: not UTF-8 text; save the CSV as UTF-8") from None
    # Comma-separated; a header without a comma but with semicolons or tabs (some locales' Excel) is
    # read with that separator instead. Guessing from the data could split on a comma inside notes.
    header = text.split("\n", 1)[0]
    delimiter = "," if "," in header else ";" if ";" in header else "\t" if "\t" in header else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list[tuple[int, Sequence[Any]]] = []
    try:
        first = 1
        for row in reader:
            # A quoted cell may span lines: a row is numbered by the line it starts on.
            lines.append((first, row))
            first = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"{path}: line {reader.line_num}: {exc}") from None
    return lines


def _xlsx_lines(path: Path, sheet: str | None) -> list[tuple[int, Sequence[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ImportFileError(f"{path}: not a readable XLSX workbook ({exc})") from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ImportFileError(f"{path}: no sheet named '{sheet}' (sheets: {', '.join(workbook.sheetnames)})")
        return [(number, tuple(row)) for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(lines: Iterable[tuple[int, Sequence[Any]]], path: Path) -> Table:
    iterator = iter(lines)
    header: Sequence[Any] | None = None
    for _number, line in iterator:
        if not all(_blank(cell) for cell in line):
            header = line
            break
    if header is None:
        raise ImportFileError(f"{path}: the file is empty")
    columns = [normalise_header(cell) for cell in header]
    named = [name for name in columns if name]
    duplicates = sorted({name for name in named if named.count(name) > 1})
    if duplicates:
        raise ImportFileError(f"{path}: duplicate columns: {', '.join(duplicates)}")
    rows = []
    for number, line in iterator:
        if all(_blank(cell) for cell in line):
            continue
        cells = {name: line[index] if index < len(line) else None for index, name in enumerate(columns) if name}
        rows.append((number, cells))
    return Table(tuple(named), rows)


# ---------------------------------------------------------------------------------------------- cells


def _shown(value: Any) -> str:
    text = repr(value.strip() if isinstance(value, str) else value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def is_blank(value: Any) -> bool:
    return _blank(value)


def period_cell(value: Any) -> Month:
    """``YYYY-MM`` text, or a date cell (its month)."""
    if isinstance(value, datetime | date):
        month = Month.of(value.date() if isinstance(value, datetime) else value)
        try:
            return Month.parse(month.label)  # the same year bounds as text
        except InvalidPeriod:
            raise CellError(f"period must be a month from {MIN_YEAR} to {MAX_YEAR} (got {month.label})") from None
    if _blank(value):
        raise CellError("period is required (YYYY-MM)")
    try:
        return Month.parse(str(value))
    except InvalidPeriod:
        raise CellError(f"period must be YYYY-MM (got {_shown(value)})") from None


def count_cell(value: Any, name: str) -> int:
    """A whole number ≥ 0 (an integral float, as spreadsheets store numbers, is fine)."""
    if _blank(value):
        raise CellError(f"{name} is required")
    if isinstance(value, bool):
        raise CellError(f"{name} must be a whole number ≥ 0 (got {_shown(value)})")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _WHOLE.fullmatch(value.strip().replace(",", "")):
        digits = value.strip().replace(",", "").lstrip("0") or "0"
        if len(digits) > len(str(MAX_COUNT)):  # int() of thousands of digits would itself fail
            raise CellError(f"{name} must be at most {MAX_COUNT} (got {_shown(value)})")
        number = int(digits)
    else:
        raise CellError(f"{name} must be a whole number ≥ 0 (got {_shown(value)})")
    if number < 0:
        raise CellError(f"{name} must be a whole number ≥ 0 (got {_shown(value)})")
    if number > MAX_COUNT:
        raise CellError(f"{name} must be at most {MAX_COUNT} (got {_shown(value)})")
    return number


def number_cell(value: Any, name: str) -> Decimal:
    """A number: a numeric cell, or text like ``1234.5``, ``-12``, ``$1,234.50``."""
    if _blank(value):
        raise CellError(f"{name} is required")
    if isinstance(value, bool):
        raise CellError(f"{name} must be a number (got {_shown(value)})")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(f"{name} must be a finite number (got {_shown(value)})")
        # Spreadsheet floats carry binary noise (0.1 + 0.2); their shortest repr is what a person typed.
        number = Decimal(repr(value))
    else:
        text = str(value).strip().replace(",", "").replace("$", "", 1)
        if not _NUMBER.fullmatch(text):
            raise CellError(f"{name} must be a number (got {_shown(value)})")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes these
            raise CellError(f"{name} must be a number (got {_shown(value)})") from None
    try:
        return storable_value(number)  # the API's bounds: a value it refuses is not imported either
    except ValueOutOfRange as exc:
        raise CellError(f"{name} {exc} (got {_shown(value)})") from None


def id_cell(value: Any, name: str) -> int | None:
    if _blank(value):
        return None
    number = count_cell(value, name)
    if number < 1:
        raise CellError(f"{name} must be a positive whole number (got {_shown(value)})")
    return number


def text_cell(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if "\x00" in text:  # the csv module reads NUL characters (Python 3.11+); PostgreSQL text cannot hold them
        raise CellError(f"{_shown(text)} contains a NUL character")
    return text
