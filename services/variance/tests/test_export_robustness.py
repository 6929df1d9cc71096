"""Excel and PDF exports survive unusual text, and their temporary files go away however the transfer ends."""

from __future__ import annotations

import glob
import os
import tempfile
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from variance.exports import service
from variance.exports.repository import ExportScope
from variance.exports.routes import _file_response

DAY = date(2026, 11, 30)
# Emoji, right-to-left text, a very long hostname, and vendor names spread over many lines.
ODD_TEXT = ["🙂" * 60, "שלום עולם مرحبا", "h" * 600, "Acme\nDental\n" * 150, "tab\tseparated"]


def rows() -> list[tuple[Any, ...]]:
    return [
        (number, DAY, "MISSING_NINJA", text, "active", None, None, None, None, None, text, "{}", text, text, text, text)
        for number, text in enumerate(ODD_TEXT, start=1)
    ]


def summary() -> service.ExportSummary:
    return service.ExportSummary(
        report_date=DAY,
        generated_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        include_resolved=False,
        kind=None,
        counts={"MISSING_NINJA": {"total": len(ODD_TEXT), "unresolved": len(ODD_TEXT), "resolved": 0}},
        organizations=[(text, 1) for text in ODD_TEXT],
        organizations_affected=len(ODD_TEXT),
    )


def test_pdf_and_excel_with_unusual_text(tmp_path: Any) -> None:
    pdf_path, excel_path = str(tmp_path / "report.pdf"), str(tmp_path / "report.xlsx")
    pdf = service.PdfExport(pdf_path, summary())
    pdf.add_rows(rows())
    pdf.close()  # a row taller than a page once raised reportlab's LayoutError (a 500)
    text = "".join(page.extract_text() for page in PdfReader(pdf_path).pages)
    assert "Acme Dental Acme Dental" in text

    excel = service.ExcelExport(excel_path, summary())
    excel.add_rows(rows())
    excel.close()
    sheet = openpyxl.load_workbook(excel_path, read_only=True)["Exceptions"]
    hostnames = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert hostnames == ODD_TEXT  # the spreadsheet keeps the text exactly


def leftover(path: str) -> bool:
    return path in glob.glob(os.path.join(tempfile.gettempdir(), "variance-export-*"))


async def _receive() -> dict[str, Any]:
    return {"type": "http.disconnect"}


@pytest.mark.parametrize("failure", [OSError("client went away"), ConnectionResetError(104, "reset")])
async def test_temporary_file_is_deleted_when_the_client_disconnects(failure: BaseException) -> None:
    handle, path = tempfile.mkstemp(prefix="variance-export-", suffix=".pdf")
    os.write(handle, b"%PDF-1.4 " + b"x" * 200_000)
    os.close(handle)
    response = _file_response(path, "pdf", ExportScope(DAY, False, None), None)
    sent: list[str] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])
        if message["type"] == "http.response.body":
            raise failure  # ASGI 2.4 servers raise an OSError on send once the client is gone

    scope = {"type": "http", "method": "GET", "headers": [], "asgi": {"version": "3.0", "spec_version": "2.4"}}
    with pytest.raises(OSError):
        await response(scope, _receive, send)
    assert sent[0] == "http.response.start"
    assert not leftover(path)
