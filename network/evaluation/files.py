"""The pack as files: one CSV file and one workbook (a sheet per section) holding the page's tables, the
same numbers in the same order. Text that a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from network.downloads import spreadsheet_text
from network.evaluation.pack import Pack, Section

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    """Numbers stay numbers; text is made safe for a spreadsheet."""
    return value if value is None or isinstance(value, int | float) else spreadsheet_text(value)


def heading(pack: Pack) -> list[list]:
    """What the pack is: program, year, and up to when a year in progress was counted."""
    rows = [["Program", pack.program.name], ["Institution", pack.program.institution],
            ["Academic year", f"{pack.year.label} ({pack.year.first_day.isoformat()} to "
                              f"{pack.year.last_day.isoformat()})"]]
    if pack.in_progress:
        rows.append(["Counted up to", pack.today.isoformat()])
    return rows


def section_rows(section: Section) -> list[list]:
    """A section as rows: its title and what it counts, then each table's caption, header and rows, and why
    any figures are withheld."""
    rows = [[section.title], [section.about]]
    for table in section.tables:
        rows += [[], [table.caption], list(table.columns), *(list(row) for row in table.rows)]
    if section.withheld:
        rows += [[], [section.withheld]]
    return rows


def file_stem(pack: Pack) -> str:
    return f"{pack.program.slug}-evaluation-{pack.year.slug}"


def csv_text(pack: Pack) -> str:
    """Every section one after the other, a blank line apart."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for rows in [heading(pack), *(section_rows(section) for section in pack.sections)]:
        for row in rows:
            writer.writerow([_cell(value) for value in row])
        writer.writerow([])
    return buffer.getvalue()


def workbook_bytes(pack: Pack) -> bytes:
    """A sheet for what the pack is, then one per section, named after it."""
    book = Workbook(write_only=True)
    sheets = [("Pack", heading(pack))] + [(section.title, section_rows(section)) for section in pack.sections]
    for title, rows in sheets:
        sheet = book.create_sheet(_sheet_title(title))
        for row in rows:
            sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """A sheet name a workbook accepts: at most 31 characters, none of ``[]:*?/\\``."""
    return "".join(" " if c in "[]:*?/\\" else c for c in title)[:31].strip()
