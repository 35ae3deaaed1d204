"""Cryo labels as a PDF sheet: per specimen a DataMatrix and a Code 128 of its ID, the ID in plain text, the type,
the visit code and the collection date; nothing about the person. Uses reportlab only (no Django).

Labels of one size (services.LABEL_SIZES: common cryo-label sizes, mm) are laid out in a grid on A4 with 2 mm
gutters; text is set smaller when it would run past its label. The Code 128 is drawn where its bars can be 0.1 mm
or wider (not on 25 × 13 mm labels: the DataMatrix carries the ID there).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128, createBarcodeDrawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

MARGIN, GUTTER = 10 * mm, 2 * mm
MIN_BAR_WIDTH = 0.1 * mm  # the narrowest Code 128 bar a label printer and a scanner handle


@dataclass(frozen=True)
class Label:
    specimen_id: str
    type_code: str
    visit_code: str
    date: str  # YYYY-MM-DD or ""


def label_sheet(labels: list[Label], size_mm: tuple[int, int], title: str = "") -> bytes:
    """A4 pages of ``labels``, each ``size_mm`` (width, height) large."""
    width, height = (v * mm for v in size_mm)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(title or "Specimen labels")
    cols = int((A4[0] - 2 * MARGIN + GUTTER) // (width + GUTTER))
    rows = int((A4[1] - 2 * MARGIN + GUTTER) // (height + GUTTER))
    for index, label in enumerate(labels):
        slot = index % (cols * rows)
        if index and slot == 0:
            pdf.showPage()
        x = MARGIN + (slot % cols) * (width + GUTTER)
        y = A4[1] - MARGIN - (slot // cols + 1) * (height + GUTTER) + GUTTER
        _label(pdf, label, x, y, width, height)
    pdf.save()
    return buffer.getvalue()


def _label(pdf: canvas.Canvas, label: Label, x: float, y: float, width: float, height: float) -> None:
    pdf.setLineWidth(0.2)
    pdf.roundRect(x, y, width, height, 1 * mm)
    side = height - 2 * mm
    _datamatrix(pdf, label.specimen_id, x + 1 * mm, y + 1 * mm, side)
    text_x = x + side + 2 * mm
    room = x + width - 1 * mm - text_x
    font = 5.5 if height < 20 * mm else 8
    _fitted(pdf, label.specimen_id, "Helvetica-Bold", font, text_x, y + height - font - 0.8 * mm, room)
    details = f"{label.type_code} · {label.visit_code} · {label.date}"
    _fitted(pdf, details, "Helvetica", font - 1, text_x, y + height - 2 * font - 0.8 * mm, room)
    modules = code128.Code128(label.specimen_id, barWidth=1, quiet=False).width
    if room / modules >= MIN_BAR_WIDTH:  # too narrow to scan otherwise: the DataMatrix carries the ID alone
        bar_height = height - 2 * font - 2.5 * mm
        barcode = code128.Code128(label.specimen_id, barHeight=bar_height, barWidth=room / modules, quiet=False)
        barcode.drawOn(pdf, text_x, y + 0.8 * mm)


def _fitted(pdf: canvas.Canvas, text: str, font: str, size: float, x: float, y: float, room: float) -> None:
    """Draw ``text`` in at most ``room`` points: smaller type when it is long (never over the next label)."""
    size = min(size, size * room / max(stringWidth(text, font, size), 1))
    pdf.setFont(font, size)
    pdf.drawString(x, y, text)


def _datamatrix(pdf: canvas.Canvas, value: str, x: float, y: float, side: float) -> None:
    drawing = createBarcodeDrawing("ECC200DataMatrix", value=value)
    drawing.scale(side / drawing.width, side / drawing.height)
    drawing.width = drawing.height = side
    renderPDF.draw(drawing, pdf, x, y)
