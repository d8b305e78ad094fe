"""The annual report's files: the workbook (.xlsx), the CSV files (.zip), the page's cells.

All three are written from the same stored tables (``reports.annual.build``), so
they carry the same cells. The same tables always give the same bytes: the
workbook's properties carry a date derived from the year instead of the time
of the build, and the entries of both zip files (an .xlsx is one) carry a
fixed time instead of the moment they were written.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from core.spreadsheet import text_cell
from reports.annual.shape import Cell, Chart, ReportTable

HEADER_ROW = 4  # title, subtitle, an empty row, then the header
NUMBER_FORMATS = {"count": "0", "share": "0.0", "decimal": "0.0"}
TEXT_WIDTH = 30
NUMBER_WIDTH = 14
CHART_ROWS = 20  # rows a chart covers below the table


def fixed_moment(year: int) -> datetime.datetime:
    """The time every file of the report of ``year`` says it was made: 1 January after it."""
    return datetime.datetime(year + 1, 1, 1)


def with_fixed_times(data: bytes, moment: datetime.datetime) -> bytes:
    """The zip archive ``data`` written again with every entry dated ``moment``.

    Python's zipfile dates an entry with the current time when it is written;
    the contents, their order and compression stay the same.
    """
    date_time = moment.timetuple()[:6]
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for original in source.infolist():
            entry = zipfile.ZipInfo(original.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, wherever it was built
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(original.filename))
    return output.getvalue()


# --- The workbook -----------------------------------------------------------------------------


def workbook_bytes(tables: Sequence[ReportTable], *, year: int) -> bytes:
    """The report as an .xlsx: a sheet per table, with its charts; the same bytes every time."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        _write_sheet(workbook.create_sheet(table.sheet), table)
    moment = fixed_moment(year)
    properties = workbook.properties
    properties.creator = "Stockholmsjobb"
    properties.lastModifiedBy = None
    properties.title = f"Redovisning av Stockholmsjobb {year}"
    properties.language = "sv-SE"
    properties.created = moment
    properties.modified = moment
    buffer = io.BytesIO()
    # Workbook.save() would stamp the modified time with now; the writer it uses does not.
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()  # closes the archive
    return with_fixed_times(buffer.getvalue(), moment)


def _write_sheet(sheet: Worksheet, table: ReportTable) -> None:
    sheet["A1"] = table.title
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = table.subtitle
    sheet["A2"].font = Font(italic=True)
    header_fill = PatternFill("solid", start_color="DDE4EE")
    for column, heading in enumerate(table.header, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=heading)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[HEADER_ROW].height = 60
    for offset, values in enumerate(table.rows, start=1):
        for column, (value, kind) in enumerate(zip(values, table.formats, strict=True), start=1):
            cell = sheet.cell(row=HEADER_ROW + offset, column=column)
            if isinstance(value, str):
                cell.value = value
                # A text is never a formula, whatever an admin typed into a job type's name.
                cell.data_type = "s"
                if kind != "text":
                    cell.alignment = Alignment(horizontal="right")
                else:
                    # Long texts (a job type's target group) wrap; the row grows to fit.
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            else:
                cell.value = value
                if kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[kind]
    for column, kind in enumerate(table.formats, start=1):
        width = TEXT_WIDTH if kind == "text" else NUMBER_WIDTH
        sheet.column_dimensions[get_column_letter(column)].width = width
    leading_text = next(
        (index for index, kind in enumerate(table.formats) if kind != "text"), len(table.formats)
    )
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=leading_text + 1)
    notes_row = HEADER_ROW + len(table.rows) + 2
    for offset, note in enumerate(table.notes):
        sheet.cell(row=notes_row + offset, column=1, value=note).data_type = "s"
    chart_row = notes_row + len(table.notes) + 1
    for index, chart in enumerate(table.charts):
        sheet.add_chart(_chart(sheet, chart), f"A{chart_row + index * CHART_ROWS}")
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _chart(sheet: Worksheet, spec: Chart) -> BarChart | LineChart:
    if spec.kind == "line":
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "col"
        if spec.kind == "stacked_column":
            chart.grouping = "stacked"
            chart.overlap = 100
    chart.title = spec.title
    chart.y_axis.title = spec.y_title
    # openpyxl 3.1 marks axes as deleted unless told otherwise; Excel would then hide them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width = 22
    chart.height = 10
    first_data_row = HEADER_ROW + 1
    for name, column, first, last in spec.series:
        values = Reference(
            sheet,
            min_col=column + 1,
            min_row=first_data_row + first,
            max_row=first_data_row + last,
        )
        chart.series.append(Series(values, title=name))
    column, first, last = spec.categories
    chart.set_categories(
        Reference(
            sheet, min_col=column + 1, min_row=first_data_row + first, max_row=first_data_row + last
        )
    )
    return chart


# --- The CSV files ----------------------------------------------------------------------------


def csv_value(value: Cell) -> str | int:
    """A cell as the CSV files write it: decimal comma (Swedish Excel), empty for nothing."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, str):
        return text_cell(value)
    return value


def table_csv(table: ReportTable) -> str:
    """One table as CSV text: UTF-8 with a BOM (Excel reads UTF-8 only then), ``;`` between."""
    output = io.StringIO()
    output.write("\ufeff")
    writer = csv.writer(output, delimiter=";")
    writer.writerow([text_cell(heading) for heading in table.header])
    for row in table.rows:
        writer.writerow([csv_value(value) for value in row])
    return output.getvalue()


def csv_zip_bytes(tables: Sequence[ReportTable], *, year: int) -> bytes:
    """Every table as a CSV file in one zip; the same bytes every time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(f"{table.slug}.csv", table_csv(table).encode("utf-8"))
    return with_fixed_times(buffer.getvalue(), fixed_moment(year))


# --- The page ---------------------------------------------------------------------------------


def html_value(value: Cell, kind: str = "count") -> str:
    """A cell as the print page shows it: the CSV's text; a dash for a missing figure."""
    if value is None or value == "":
        return "" if kind == "text" else "–"
    return str(csv_value(value)) if not isinstance(value, str) else value
