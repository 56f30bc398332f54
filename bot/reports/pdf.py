"""Handouts as PDF (fpdf2): an A4 sheet or an A6 card per guide, in large black type.

Vietnamese needs a Unicode font: DejaVu Sans, which matplotlib ships. The QR codes are
embedded as PNG images, so a reader (or a test) finds them as images on the page.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from bot.reports import texts
from bot.reports.funnels import printable
from bot.reports.handout import Handout

if TYPE_CHECKING:
    from fpdf import FPDF

FAMILY = "DejaVu"
# (page, margin mm, title pt, line pt, QR mm, small pt)
SIZES: dict[str, tuple[str | tuple[float, float], float, float, float, float, float]] = {
    "a4": ("a4", 15.0, 26.0, 16.0, 68.0, 11.0),
    "a6": ((105.0, 148.0), 6.0, 12.0, 7.5, 34.0, 6.0)}


def _document() -> FPDF:
    # Imported here: a server that never prints a handout never loads them.
    import matplotlib
    from fpdf import FPDF

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = FPDF(unit="mm")
    pdf.add_font(FAMILY, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.set_title("Hướng dẫn")
    pdf.set_creator("digiguide")
    return pdf


def _page(pdf: FPDF, item: Handout, size: str, scale: float) -> float:
    """Lay out one handout; where its content ends (mm from the top)."""
    page, margin, *sizes = SIZES[size]
    title_pt, line_pt, qr_mm, small_pt = (v * scale for v in sizes)
    pdf.add_page(format=page)
    pdf.set_margins(margin, margin, margin)
    width = pdf.w - 2 * margin
    pdf.set_xy(margin, margin)
    pdf.set_font(FAMILY, "B", title_pt)
    pdf.multi_cell(width, title_pt * 0.45, printable(item.title), align="L")
    pdf.ln(line_pt * 0.3)
    pdf.set_font(FAMILY, "", line_pt)
    for number, line in enumerate(item.lines, 1):
        pdf.multi_cell(width, line_pt * 0.5, f"{number}. {line}", align="L")
        pdf.ln(line_pt * 0.12)
    pdf.ln(line_pt * 0.3)
    codes = [(texts.HANDOUT_WEB, item.web_qr, item.link.web)]
    if item.telegram_qr is not None and item.link.telegram is not None:
        codes.append((texts.HANDOUT_TELEGRAM, item.telegram_qr, item.link.telegram))
    top = below = pdf.get_y()
    gap = (width - qr_mm * len(codes)) / (len(codes) + 1)
    for index, (label, png, link) in enumerate(codes):
        left = margin + gap + index * (qr_mm + gap)
        pdf.image(io.BytesIO(png), x=left, y=top, w=qr_mm, h=qr_mm)
        pdf.set_xy(left - gap / 2, top + qr_mm + 1)
        pdf.set_font(FAMILY, "B", small_pt)
        pdf.multi_cell(qr_mm + gap, small_pt * 0.45, label, align="C")
        pdf.set_x(left - gap / 2)
        pdf.set_font(FAMILY, "", small_pt * 0.8)
        pdf.multi_cell(qr_mm + gap, small_pt * 0.4, link, align="C")
        below = max(below, pdf.get_y())
    pdf.set_xy(margin, below + small_pt * 0.2)
    pdf.set_font(FAMILY, "", small_pt)
    pdf.multi_cell(width, small_pt * 0.5, texts.HANDOUT_SCAN + " · "
                   + texts.HANDOUT_CODE.format(code=item.link.code), align="C")
    pdf.ln(line_pt * 0.3)
    pdf.set_font(FAMILY, "B", line_pt)
    pdf.multi_cell(width, line_pt * 0.5, printable(item.help_line), align="C")
    pdf.ln(line_pt * 0.3)
    pdf.set_font(FAMILY, "B", small_pt * 1.1)
    pdf.set_line_width(0.6)
    pdf.multi_cell(width, small_pt * 0.6, texts.SAFETY_LINE, border=1, align="C", padding=2)
    return float(pdf.get_y())


def handouts_pdf(items: list[Handout], size: str = "a4") -> bytes:
    """One page per guide (``size``: ``a4`` or ``a6``)."""
    if size not in SIZES:
        raise ValueError(f"unknown size: {size}")
    pdf, trial = _document(), _document()
    for item in items:
        _page(pdf, item, size, fitting(trial, item, size))
    return bytes(pdf.output())


def fitting(trial: FPDF, item: Handout, size: str) -> float:
    """The type scale at which ``item`` fits its page: 1, or smaller for a guide whose lines
    would not fit (laid out on ``trial``, a scratch document)."""
    scale = 1.0
    while _page(trial, item, size, scale) > trial.h - SIZES[size][1] and scale > 0.6:
        scale *= 0.95
    return scale
