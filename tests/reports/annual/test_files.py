"""The annual report's files: the workbook with its charts, LibreOffice, byte-identical
rebuilds, and the CSV files and the print page carrying the workbook's cells."""

import csv
import datetime
import io
import posixpath
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
import time_machine
from django.conf import settings
from openpyxl import load_workbook

from reports.annual.build import annual_report_build, stored_tables
from reports.annual.services import annual_report_request
from reports.annual.xlsx import HEADER_ROW, csv_value, csv_zip_bytes, html_value
from reports.models import AnnualReport
from tests.factories import AdminFactory, ParticipantFactory, PlacementFactory
from tests.helpers import require
from tests.helpers.reports import COHORT, YEAR, build_data_set

pytestmark = pytest.mark.django_db

SHEETS = [
    "Tabell 1",
    "Tabell 2",
    "Tabell 3",
    "Tabell 4",
    "Tabell 6",
    "Tabell 7",
    "Tabell 8",
    "Enkät",
    "Studier och praktik",
    "Lönesubvention",
]
STOCKHOLM = datetime.timezone(datetime.timedelta(hours=1))


def build() -> AnnualReport:
    """Request and build the report of the hand-counted data set (the task's function)."""
    report = annual_report_request(year=YEAR, cohort_year=COHORT)
    return annual_report_build(report_id=report.pk)


@pytest.fixture
def report() -> AnnualReport:
    build_data_set()
    return build()


def workbook(report: AnnualReport):
    return load_workbook(io.BytesIO(bytes(report.xlsx)))


# --- The workbook ------------------------------------------------------------------------------


def test_the_workbook_has_a_sheet_per_table_titled_as_in_the_city_report(report):
    book = workbook(report)

    assert book.sheetnames == SHEETS
    for name in SHEETS[:7]:
        # "Tabell 2 Andel aspiranter …": numbered as the sheet is named.
        assert book[name]["A1"].value.startswith(f"{name} ")
    assert book["Tabell 2"]["A1"].value == (
        "Tabell 2 Andel aspiranter som arbetar eller studerar tre månader efter avslutat "
        "Stockholmsjobb"
    )
    assert book["Tabell 2"].cell(row=HEADER_ROW, column=1).value == "Period"


def parse(xml: str | bytes) -> ElementTree.Element:
    return ElementTree.fromstring(xml)  # noqa: S314 - XML we wrote ourselves, in this test


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    return parse(archive.read(name))


def _part(folder: str, target: str) -> str:
    """A relationship's target as a path in the archive (targets may be absolute)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(folder, target))


def _targets(archive: zipfile.ZipFile, part: str) -> list[str]:
    """The parts a part's relationships point at."""
    folder, name = posixpath.split(part)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in archive.namelist():
        return []
    return [_part(folder, rel.get("Target")) for rel in _xml(archive, rels)]


def charts_per_sheet(data: bytes) -> dict[str, list[str]]:
    """Sheet name → the XML of the charts drawn on it, followed through the package's links."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relationship = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rels = _xml(archive, "xl/_rels/workbook.xml.rels")
        sheet_parts = {rel.get("Id"): _part("xl", rel.get("Target")) for rel in rels}
        result = {}
        for sheet in _xml(archive, "xl/workbook.xml").iter(f"{main}sheet"):
            charts = []
            for drawing in _targets(archive, sheet_parts[sheet.get(relationship)]):
                assert drawing.startswith("xl/drawings/drawing")
                for chart in _targets(archive, drawing):
                    assert chart.startswith("xl/charts/chart")
                    charts.append(archive.read(chart).decode())
            result[sheet.get("name")] = charts
        return result


def test_the_workbook_draws_native_charts_where_the_city_report_does(report):
    with zipfile.ZipFile(io.BytesIO(bytes(report.xlsx))) as archive:
        names = archive.namelist()
    assert len([n for n in names if n.startswith("xl/charts/chart")]) == 5
    assert len([n for n in names if n.startswith("xl/drawings/drawing")]) == 5

    charts = charts_per_sheet(bytes(report.xlsx))

    assert {sheet: len(found) for sheet, found in charts.items() if found} == {
        "Tabell 2": 1,
        "Tabell 3": 1,
        "Tabell 6": 1,
        "Tabell 7": 1,
        "Tabell 8": 1,
    }
    (table_2,) = charts["Tabell 2"]
    assert chart_kind(table_2) == ("barChart", "stacked")
    # The three shares of the twelve periods (rows 5-16), by period (column A).
    assert references(table_2) == {
        "'Tabell 2'!$A$5:$A$16",
        "'Tabell 2'!$G$5:$G$16",
        "'Tabell 2'!$I$5:$I$16",
        "'Tabell 2'!$K$5:$K$16",
    }
    (table_3,) = charts["Tabell 3"]
    assert chart_kind(table_3)[0] == "lineChart"
    # Women (rows 5-16) and men (17-28), by period (column B).
    assert references(table_3) == {
        "'Tabell 3'!$B$5:$B$16",
        "'Tabell 3'!$N$5:$N$16",
        "'Tabell 3'!$N$17:$N$28",
    }
    for sheet in ("Tabell 6", "Tabell 7", "Tabell 8"):
        (chart,) = charts[sheet]
        assert chart_kind(chart) == ("barChart", "clustered")
        # The three measurement points' shares, for the two age groups (rows 5-6).
        assert references(chart) == {
            f"'{sheet}'!$A$5:$A$6",
            f"'{sheet}'!$H$5:$H$6",
            f"'{sheet}'!$L$5:$L$6",
            f"'{sheet}'!$P$5:$P$6",
        }


CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def chart_kind(xml: str) -> tuple[str, str | None]:
    """The kind of a chart's plot (barChart, lineChart) and its grouping."""
    plot_area = parse(xml).find(f"{CHART}chart/{CHART}plotArea")
    (plot,) = [child for child in plot_area if child.tag.endswith("Chart")]
    grouping = plot.find(f"{CHART}grouping")
    return plot.tag.removeprefix(CHART), None if grouping is None else grouping.get("val")


def references(xml: str) -> set[str]:
    """The cell ranges a chart draws: its series' values and categories."""
    return {element.text for element in parse(xml).iter(f"{CHART}f")}


def test_small_cells_are_text_and_shares_are_numbers_with_one_decimal(report):
    sheet = workbook(report)["Tabell 2"]
    t1_2020, t1_2023 = HEADER_ROW + 1, HEADER_ROW + 10

    assert sheet.cell(row=t1_2020, column=3).value == "<5"  # C1 alone: suppressed
    assert sheet.cell(row=t1_2020, column=5).value is None  # no coverage either
    assert sheet.cell(row=t1_2023, column=12).value == 6
    share = sheet.cell(row=t1_2023, column=13)
    assert share.value == 60.0
    assert share.number_format == "0.0"


def test_libreoffice_converts_the_workbook_to_a_pdf(report, tmp_path):
    soffice = shutil.which("soffice")
    require(soffice is not None, "needs LibreOffice (soffice) on the PATH")
    source = tmp_path / "arsrapport.xlsx"
    source.write_bytes(bytes(report.xlsx))
    output = tmp_path / "out"

    result = subprocess.run(
        [
            soffice,
            # A profile of its own: parallel runs do not share (and lock) one.
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(output),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    pdf = output / "arsrapport.pdf"
    assert pdf.is_file(), result.stdout
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 10_000


# --- The same data, the same bytes -----------------------------------------------------------


def test_building_again_with_the_same_data_gives_the_same_bytes():
    build_data_set()
    with time_machine.travel(datetime.datetime(2024, 2, 1, 9, 0, tzinfo=STOCKHOLM), tick=False):
        first = build()
        first_csv = csv_zip_bytes(stored_tables(first), year=YEAR)
        first_xlsx = bytes(first.xlsx)
    with time_machine.travel(datetime.datetime(2024, 3, 15, 14, 7, tzinfo=STOCKHOLM), tick=False):
        second = build()
        second_csv = csv_zip_bytes(stored_tables(second), year=YEAR)

    assert second.built_at > first.built_at
    assert bytes(second.xlsx) == first_xlsx
    assert second_csv == first_csv


def test_every_file_is_dated_the_first_of_january_after_the_year(report):
    with zipfile.ZipFile(io.BytesIO(bytes(report.xlsx))) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "<dcterms:created" in core and "2024-01-01T00:00:00Z</dcterms:created>" in core
    assert "2024-01-01T00:00:00Z</dcterms:modified>" in core
    csv_zip = csv_zip_bytes(stored_tables(report), year=YEAR)
    with zipfile.ZipFile(io.BytesIO(csv_zip)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 1, 1, 0, 0, 0)}


# --- The same cells in the workbook, the CSV files and the page ----------------------------


def sheet_rows(sheet) -> list[list]:
    """The header and the data rows of a sheet: from the header to the first empty row."""
    rows = []
    for row in sheet.iter_rows(min_row=HEADER_ROW, values_only=True):
        if row[0] is None:
            break
        rows.append(list(row))
    width = len(rows[0])
    return [row[:width] for row in rows]


def csv_files(report: AnnualReport) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(csv_zip_bytes(stored_tables(report), year=YEAR))) as archive:
        files = {}
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8")
            assert text.startswith("\ufeff")
            files[name] = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
        return files


class TableParser(HTMLParser):
    """The print page's tables: section id → rows of cell texts (header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.section: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section" and "report-table" in (attributes.get("class") or ""):
            self.section = attributes["id"]
            self.tables[self.section] = []
        elif tag == "tr" and self.section:
            self.tables[self.section].append([])
        elif tag in ("td", "th") and self.section:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[self.section][-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "section":
            self.section = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_the_csv_files_and_the_page_carry_the_workbooks_cells(report, client):
    book = workbook(report)
    files = csv_files(report)
    client.force_login(AdminFactory())
    page = client.get(f"/reports/print/?year={YEAR}")
    parser = TableParser()
    parser.feed(page.content.decode())

    formats = {table.slug: table.formats for table in stored_tables(report)}

    def read_back(row: list, slug: str) -> list:
        # Excel keeps 25.0 as 25: a share or decimal column's number is a float again.
        return [
            float(v) if kind in ("share", "decimal") and isinstance(v, int | float) else v
            for v, kind in zip(row, formats[slug], strict=True)
        ]

    assert [name.removesuffix(".csv") for name in files] == list(parser.tables)
    assert len(files) == len(SHEETS)
    for name, sheet_name in zip(files, SHEETS, strict=True):
        slug = name.removesuffix(".csv")
        header, *rows = sheet_rows(book[sheet_name])
        rows = [read_back(row, slug) for row in rows]
        assert files[name][0] == header, name
        assert files[name][1:] == [[str(csv_value(v)) for v in row] for row in rows], name
        if rows:
            assert parser.tables[slug][0] == header, slug
            assert parser.tables[slug][1:] == [
                [html_value(v, kind) for v, kind in zip(row, formats[slug], strict=True)]
                for row in rows
            ]
        else:
            assert parser.tables[slug] == []
    # A suppressed cell reads the same everywhere; a share has a decimal comma.
    assert files["tabell-2.csv"][1][3] == "<5"
    assert parser.tables["tabell-2"][1][3] == "<5"
    assert files["tabell-2.csv"][10][12] == "60,0"
    assert parser.tables["tabell-2"][10][12] == "60,0"


def test_the_files_hold_no_personal_data():
    build_data_set()
    secret = ParticipantFactory(first_name="Hemliga", last_name="Hemligsdotter")
    PlacementFactory(
        participant=secret,
        start_date=datetime.date(2023, 3, 1),
        planned_end_date=datetime.date(2024, 2, 29),
    )
    built = build()
    contents = []
    for data in (bytes(built.xlsx), csv_zip_bytes(stored_tables(built), year=YEAR)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            contents += [archive.read(name).decode("utf-8") for name in archive.namelist()]

    text = "\n".join(contents)
    assert "Basanställning" in text  # the files were read
    for value in ("Hemligsdotter", "Hemliga", secret.personnummer, secret.personnummer[:8]):
        assert value not in text


def test_the_print_page_uses_only_our_own_static_files():
    template = Path(settings.BASE_DIR) / "templates" / "reports" / "annual_print.html"
    text = template.read_text(encoding="utf-8")
    assets = [part.split("'")[1] for part in text.split("{% static ")[1:]]

    assert "css/annual_print.css" in assets
    for asset in assets:
        assert (Path(settings.BASE_DIR) / "static" / asset).is_file(), asset
    css = (Path(settings.BASE_DIR) / "static" / "css" / "annual_print.css").read_text()
    assert "@media print" in css and "@page" in css
