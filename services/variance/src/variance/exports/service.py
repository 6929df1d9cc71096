"""Writing a report date's exceptions as CSV, Excel and PDF (no SQL, no HTTP).

Rows arrive in batches from a server-side cursor and are written as they come: CSV is streamed to the
client batch by batch; Excel (XlsxWriter ``constant_memory``: one row in memory per sheet) and PDF are
written to a temporary file that is then streamed. The PDF lists at most ``PDF_MAX_ROWS`` rows and
says so when it stops (CSV and Excel always carry every row).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import xlsxwriter
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hub_shared.db import Database
from hub_shared.timefmt import rfc3339
from variance.catalog import BY_CODE, VARIANCE_TYPES, VarianceType, is_resolved
from variance.exports import repository as repo
from variance.exports.repository import ExportScope

__all__ = ["CONTENT_TYPES", "ExportScope", "build_file", "csv_stream", "filename"]
TOP_ORGANIZATIONS = 10

# The replaced system's columns, in its order, then the hub's additions.
CSV_COLUMNS = (
    "ID",
    "Date Found",
    "Type",
    "Hostname",
    "Resolved",
    "Resolved Date",
    "Resolved By",
    "Manually Updated At",
    "Manually Updated By",
    "Variance Status",
    "Update Type",
    "Organization",
    "Details",
    "Report Date",
    "Report Key",
    "Ninja Hostname",
    "ThreatLocker Hostname",
    "Ninja Display Name",
    "ThreatLocker Display Name",
)
DETAILS_INDEX = CSV_COLUMNS.index("Details")
SHEET_COLUMNS = CSV_COLUMNS[:DETAILS_INDEX] + CSV_COLUMNS[DETAILS_INDEX + 1 :]
SHEET_WIDTHS = (10, 12, 24, 28, 9, 13, 22, 24, 22, 18, 18, 32, 12, 30, 28, 28, 40, 40)
MAX_COLUMN_WIDTH = 50
PDF_MAX_ROWS = 20_000
PDF_ROWS_PER_TABLE = 400
PDF_CELL_CHARS = 80

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "excel": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"csv": "csv", "pdf": "pdf", "excel": "xlsx"}


def filename(fmt: str, report_date: date, kind: VarianceType | None) -> str:
    middle = f"-{kind.code.lower()}" if kind else ""
    return f"variances{middle}-{report_date.isoformat()}.{EXTENSIONS[fmt]}"


def row_values(row: Sequence[Any], report_date: date) -> list[str]:
    """One export row as text, in ``CSV_COLUMNS`` order."""
    (
        exception_id,
        first_seen,
        code,
        key,
        status,
        resolved_date,
        resolved_by,
        manual_at,
        manual_by,
        update_type,
        organization,
        details,
        ninja_host,
        tl_host,
        ninja_display,
        tl_display,
    ) = row
    return [
        str(exception_id),
        first_seen.isoformat() if first_seen else "",
        code,
        key,
        "Yes" if is_resolved(status) else "No",
        resolved_date.isoformat() if resolved_date else "",
        resolved_by or "",
        rfc3339(manual_at) if manual_at else "",
        manual_by or "",
        status or "active",
        update_type or "",
        organization or "Unknown",
        details or "",
        report_date.isoformat(),
        BY_CODE[code].report_key,
        ninja_host or "",
        tl_host or "",
        ninja_display or "",
        tl_display or "",
    ]


def csv_header() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(CSV_COLUMNS)
    return buffer.getvalue().encode("utf-8")


def csv_chunk(rows: Sequence[Sequence[Any]], report_date: date) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(row_values(row, report_date) for row in rows)
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class ExportSummary:
    report_date: date
    generated_at: datetime
    include_resolved: bool
    kind: VarianceType | None
    counts: dict[str, dict[str, int]]
    organizations: list[tuple[str, int]] = field(default_factory=list)
    organizations_affected: int = 0

    def total(self, name: str) -> int:
        return sum(c[name] for c in self.counts.values())

    @property
    def kinds(self) -> tuple[VarianceType, ...]:
        return (self.kind,) if self.kind else VARIANCE_TYPES


class ExcelExport:
    """A workbook: ``Summary``, ``Exceptions`` (every row), then one sheet per variance type."""

    def __init__(self, path: str, summary: ExportSummary) -> None:
        self.summary = summary
        self.workbook = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                # Cell text is data: never a formula, number or link, whatever it starts with.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.bold = self.workbook.add_format({"bold": True})
        self.header = self.workbook.add_format({"bold": True, "bg_color": "#CCCCCC", "border": 1})
        self.title = self.workbook.add_format({"bold": True, "font_size": 14})
        self._write_summary()
        self.sheets = {"*": self._row_sheet("Exceptions")}
        for kind in summary.kinds:
            self.sheets[kind.code] = self._row_sheet(kind.label)
        self.next_row = dict.fromkeys(self.sheets, 1)

    def _write_summary(self) -> None:
        summary = self.summary
        sheet = self.workbook.add_worksheet("Summary")
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 40)
        lines: list[tuple[str, Any] | None] = [
            ("Variance Report Summary", None),
            None,
            ("Report Date", summary.report_date.isoformat()),
            ("Generated", summary.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
            None,
            ("Total Exceptions", summary.total("total")),
            ("Unresolved", summary.total("unresolved")),
            ("Resolved", summary.total("resolved")),
            None,
            ("Exception Types:", None),
        ]
        lines += [(code, summary.counts[code]["total"]) for code in sorted(summary.counts)]
        lines += [
            None,
            ("Variance Type Filter", summary.kind.report_key if summary.kind else "all"),
            ("Include Resolved", "Yes" if summary.include_resolved else "No"),
            ("Organizations Affected", summary.organizations_affected),
        ]
        for row, line in enumerate(lines):
            if line is None:
                continue
            label, value = line
            sheet.write_string(row, 0, label, self.title if row == 0 else self.bold)
            if isinstance(value, int):
                sheet.write_number(row, 1, value)
            elif value is not None:
                sheet.write_string(row, 1, str(value))

    def _row_sheet(self, name: str) -> Any:
        sheet = self.workbook.add_worksheet(name)
        for column, width in enumerate(SHEET_WIDTHS):
            sheet.set_column(column, column, min(width, MAX_COLUMN_WIDTH))
        for column, title in enumerate(SHEET_COLUMNS):
            sheet.write_string(0, column, title, self.header)
        sheet.freeze_panes(1, 0)
        return sheet

    def _append(self, target: str, values: list[str]) -> None:
        sheet, row = self.sheets[target], self.next_row[target]
        sheet.write_number(row, 0, int(values[0]))
        for column, value in enumerate(values[1:], start=1):
            sheet.write_string(row, column, value)
        self.next_row[target] = row + 1

    def add_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            values = row_values(row, self.summary.report_date)
            del values[DETAILS_INDEX]
            self._append("*", values)
            self._append(values[2], values)

    def close(self) -> None:
        self.workbook.close()


# --------------------------------------------------------------------------------------------- PDF

_STATUS_LABELS = {
    "active": "Active",
    "resolved": "Resolved",
    "manually_fixed": "Manually Fixed",
    "collector_verified": "Verified",
    "stale": "Stale",
}
PDF_COLUMNS = ("ID", "Type", "Hostname", "Status", "Organization", "Ninja Hostname", "ThreatLocker Hostname")
PDF_WIDTHS = (1.6 * cm, 4.4 * cm, 4.6 * cm, 2.8 * cm, 5.6 * cm, 4.2 * cm, 4.2 * cm)


def _cell(value: str) -> str:
    """Vendor text as one table line: a value spread over many lines would make a row taller than a page
    (reportlab's LayoutError fails the whole export), and a very long one runs off it. CSV and Excel
    keep the text as it is."""
    text = " ".join(value.split())
    return text if len(text) <= PDF_CELL_CHARS else text[: PDF_CELL_CHARS - 1] + "\u2026"


def _table_style(header_rows: int = 1) -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), "Helvetica", 7),
            ("FONT", (0, 0), (-1, header_rows - 1), "Helvetica-Bold", 7),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#CCCCCC")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )


def _bar_chart_by_type(summary: ExportSummary) -> Drawing:
    kinds = [kind for kind in VARIANCE_TYPES if kind.code in summary.counts] or list(summary.kinds)
    drawing = Drawing(24 * cm, 7 * cm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 1.5 * cm, 1.5 * cm, 21 * cm, 4.6 * cm
    chart.data = [
        [summary.counts.get(kind.code, {}).get("unresolved", 0) for kind in kinds],
        [summary.counts.get(kind.code, {}).get("resolved", 0) for kind in kinds],
    ]
    chart.categoryAxis.categoryNames = [kind.label for kind in kinds]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#C0392B")
    chart.bars[1].fillColor = colors.HexColor("#27AE60")
    drawing.add(chart)
    drawing.add(String(1.5 * cm, 6.5 * cm, "Exceptions by type (red: unresolved, green: resolved)", fontSize=9))
    return drawing


def _bar_chart_by_organization(summary: ExportSummary) -> Drawing:
    top = summary.organizations or [("(none)", 0)]
    height = max(4 * cm, 0.6 * cm * len(top) + 2 * cm)
    drawing = Drawing(24 * cm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 6.5 * cm, 1 * cm, 16 * cm, height - 2 * cm
    chart.data = [[count for _, count in reversed(top)]]
    chart.categoryAxis.categoryNames = [_cell(name)[:40] for name, _ in reversed(top)]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#2E86C1")
    drawing.add(chart)
    drawing.add(String(0.5 * cm, height - 0.6 * cm, f"Top {len(top)} organisations by exceptions", fontSize=9))
    return drawing


class PdfExport:
    """Executive summary, charts by type and organisation, then one detail table section per type."""

    def __init__(self, path: str, summary: ExportSummary) -> None:
        self.path = path
        self.summary = summary
        styles = getSampleStyleSheet()
        self.h1, self.h2, self.body = styles["Title"], styles["Heading2"], styles["BodyText"]
        self.note = ParagraphStyle("note", parent=self.body, textColor=colors.HexColor("#7F8C8D"), fontSize=8)
        self.story: list[Flowable] = self._front_matter()
        self.rows_written = 0
        self.current_type: str | None = None
        self.pending: list[list[str]] = []
        self.truncated = False

    def _front_matter(self) -> list[Flowable]:
        summary = self.summary
        day = summary.report_date.isoformat()
        top_type = max(summary.counts.items(), key=lambda item: item[1]["total"], default=None)
        findings = (
            f"{summary.total('total')} exceptions across {summary.organizations_affected} organisations; "
            f"{summary.total('unresolved')} need attention."
            + (f" The largest group is {BY_CODE[top_type[0]].label} ({top_type[1]['total']})." if top_type else "")
        )
        table = Table(
            [
                ["Total Exceptions", str(summary.total("total"))],
                ["Unresolved", str(summary.total("unresolved"))],
                ["Resolved", str(summary.total("resolved"))],
                ["Report Date", day],
                ["Generated", summary.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")],
                ["Variance Type", summary.kind.report_key if summary.kind else "all"],
                ["Include Resolved", "Yes" if summary.include_resolved else "No"],
            ],
            colWidths=(6 * cm, 8 * cm),
        )
        table.setStyle(_table_style(header_rows=0))
        return [
            Paragraph(f"Variance Report - {day}", self.h1),
            Paragraph("Executive Summary", self.h2),
            Paragraph(findings, self.body),
            Spacer(1, 0.3 * cm),
            table,
            Spacer(1, 0.5 * cm),
            Paragraph("Summary", self.h2),
            _bar_chart_by_type(summary),
            Spacer(1, 0.3 * cm),
            _bar_chart_by_organization(summary),
            PageBreak(),
            Paragraph("Exception Details", self.h2),
        ]

    def _flush(self) -> None:
        if not self.pending:
            return
        table = Table([list(PDF_COLUMNS), *self.pending], colWidths=PDF_WIDTHS, repeatRows=1)
        table.setStyle(_table_style())
        self.story.append(table)
        self.pending = []

    def add_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            if self.rows_written >= PDF_MAX_ROWS:
                self.truncated = True
                return
            exception_id, code, key, status, organization = row[0], row[2], row[3], row[4], row[10]
            if code != self.current_type:
                self._flush()
                self.current_type = code
                self.story.append(Paragraph(BY_CODE[code].label, self.h2))
            self.pending.append(
                [
                    str(exception_id),
                    code,
                    _cell(key),
                    _STATUS_LABELS.get(status, status),
                    _cell(organization or "Unknown"),
                    _cell(row[12] or ""),
                    _cell(row[13] or ""),
                ]
            )
            self.rows_written += 1
            if len(self.pending) >= PDF_ROWS_PER_TABLE:
                self._flush()

    def close(self) -> None:
        self._flush()
        if self.rows_written == 0:
            self.story.append(Paragraph("No exceptions found for the specified criteria.", self.body))
        if self.truncated:
            self.story.append(
                Paragraph(
                    f"The PDF lists the first {PDF_MAX_ROWS:,} exceptions; the CSV and Excel exports list all.",
                    self.note,
                )
            )
        document = SimpleDocTemplate(
            self.path,
            pagesize=landscape(A4),
            leftMargin=1.2 * cm,
            rightMargin=1.2 * cm,
            topMargin=1.2 * cm,
            bottomMargin=1.2 * cm,
            title=f"Variance Report - {self.summary.report_date.isoformat()}",
            author="Inventory Hub",
        )
        document.build(self.story)
        self.story = []


async def csv_stream(database: Database, scope: ExportScope, batch: int) -> AsyncIterator[bytes]:
    """The CSV, batch by batch, from a server-side cursor in its own transaction."""
    yield csv_header()
    async with database.transaction() as own:
        async for rows in repo.stream_rows(own, scope, batch):
            yield csv_chunk(rows, scope.report_date)


async def build_file(database: Database, scope: ExportScope, kind: VarianceType | None, fmt: str, batch: int) -> str:
    """Write the Excel or PDF file to a temporary path (the caller streams and deletes it)."""
    handle, path = tempfile.mkstemp(prefix="variance-export-", suffix="." + EXTENSIONS[fmt])
    os.close(handle)
    try:
        async with database.transaction() as session:
            summary = ExportSummary(
                report_date=scope.report_date,
                generated_at=datetime.now(UTC),
                include_resolved=scope.include_resolved,
                kind=kind,
                counts=await repo.counts_by_type(session, scope),
                organizations=await repo.counts_by_organization(session, scope, TOP_ORGANIZATIONS),
                organizations_affected=await repo.organizations_affected(session, scope),
            )
            writer: ExcelExport | PdfExport = ExcelExport(path, summary) if fmt == "excel" else PdfExport(path, summary)
            async for rows in repo.stream_rows(session, scope, batch):
                await asyncio.to_thread(writer.add_rows, rows)
        await asyncio.to_thread(writer.close)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    return path
