"""PDF and CSV renderings of billing documents (invoices, credit notes, statements, certificates).

A `Document` is what a reader sees, already in French and formatted (amounts with a
decimal comma). The PDF embeds DejaVu Sans (bundled, licence beside it) so accents
render; the CSV is UTF-8 with a BOM, `;`-separated, decimal comma, as French
spreadsheets open it without an import dialog.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from services.spreadsheet import safe_row

FONTS = Path(__file__).parent / "data" / "fonts"
FONT = "DejaVu"


@dataclass(frozen=True)
class Document:
    title: str
    filename: str  # without extension
    header: list[str]  # issuer: agency name first, then address and legal numbers
    parties: list[str]  # client, dates, mode, period
    columns: list[str]
    rows: list[list[str]]
    totals: list[tuple[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    widths: tuple[int, ...] = ()


class _Pdf(FPDF):
    def __init__(self, document: Document) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.document = document
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(document.title)
        self.set_creator("Passage")
        self.alias_nb_pages()
        self.set_auto_page_break(auto=True, margin=18)

    def header(self) -> None:
        name, *rest = self.document.header
        self.set_font(FONT, "B", 12)
        self.cell(0, 6, name, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 8)
        for line in rest:
            self.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"{self.document.title} – page {self.page_no()}/{{nb}}", align="C")


def to_pdf(document: Document) -> bytes:
    pdf = _Pdf(document)
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, document.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for line in document.parties:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if document.columns:
        pdf.set_font(FONT, "", 7)
        with pdf.table(
            col_widths=document.widths or None,
            headings_style=FontFace(emphasis="BOLD"),
            line_height=4,
        ) as table:
            table.row(document.columns)
            for values in document.rows:
                table.row(values)
        pdf.ln(3)
    pdf.set_font(FONT, "", 9)
    for label, value in document.totals:
        pdf.cell(200, 5, label, align="R")
        pdf.cell(0, 5, value, align="R", new_x="LMARGIN", new_y="NEXT")
    if document.notices:
        pdf.ln(3)
        pdf.set_font(FONT, "", 8)
        for notice in document.notices:
            pdf.multi_cell(0, 4, notice, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def to_csv(document: Document) -> bytes:
    """Key lines, a blank line, the table, a blank line, the totals (docs/billing.md).

    Every cell goes through services.spreadsheet.safe_cell (CSV injection).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def row(*values: object) -> None:
        writer.writerow(safe_row(list(values)))

    row("Document", document.title)
    for line in document.header:
        row("Émetteur", line)
    for line in document.parties:
        label, _, value = line.partition(" : ")
        row(*([label, value] if value else ["", label]))
    writer.writerow([])
    if document.columns:
        row(*document.columns)
        for values in document.rows:
            row(*values)
        writer.writerow([])
    for label, value in document.totals:
        row(label, value)
    for notice in document.notices:
        row("Mention", notice)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
