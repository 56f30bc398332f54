"""A report as JSON (the API), as named tables (the dashboard) and as CSV (every table).

Small figures are already hidden here ("<5"), so nothing downstream can leak them; no table
carries a resident's id, name, number or message, only counts, guides, steps, units and the
names of team members.
"""

from __future__ import annotations

from typing import Any

from bot.privacy.spreadsheet import csv_text
from bot.reports.access import Cell
from bot.reports.results import Counts, Report

Table = tuple[list[str], list[list[Cell | float | str | None]]]
TABLES = {
    "summary": "Tổng quan",
    "guides": "Theo hướng dẫn",
    "units": "Theo đơn vị",
    "members": "Theo thành viên tổ",
    "indicators": "Chỉ tiêu của tỉnh",
    "funnels": "Người dân dừng ở bước nào",
    "unanswered": "Câu hỏi chưa có hướng dẫn",
}


def _percent(value: float | None) -> str | None:
    return None if value is None else f"{value * 100:.0f}%"


def to_json(report: Report) -> dict[str, Any]:
    c, totals, tickets = report.cell, report.totals, report.handoffs
    return {
        "unit_id": report.unit_id, "unit": report.unit_name,
        "from": report.period.first.isoformat(), "to": report.period.last.isoformat(),
        "exact": report.exact,
        "residents_reached": c(totals.reached), "guides_started": c(totals.started),
        "guides_completed": c(totals.finished), "completion_rate": report.rate(totals),
        "confirmed": c(totals.confirmed),
        "handoffs_opened": c(tickets.opened), "handoffs_claimed": c(tickets.claimed),
        "handoffs_resolved": c(tickets.resolved),
        "median_minutes_to_claim": report.median_claim_minutes,
        "guides": {flow_id: _counts(report, counts) for flow_id, _, counts in report.guides},
        "indicators": {name: c(n) for name, n in report.indicators},
        "units": {unit_id: _counts(report, counts) for unit_id, _, counts in report.units},
        "members": [{"name": name, "unit": unit, "started": c(started), "finished": c(done)}
                    for name, unit, started, done in report.members],
        "funnels": {flow_id: [{"step_id": s.step_id, "reached": c(s.reached),
                               "stuck": c(s.stuck), "biggest_loss": s.biggest}
                              for s in steps]
                    for flow_id, steps in report.funnels.items()},
        "top_unanswered": [{"text": text, "residents": c(n)} for text, n in report.unanswered],
    }


def _counts(report: Report, counts: Counts) -> dict[str, Any]:
    c = report.cell
    return {"residents_reached": c(counts.reached), "guides_started": c(counts.started),
            "guides_completed": c(counts.finished), "confirmed": c(counts.confirmed),
            "completion_rate": report.rate(counts)}


def tables(report: Report) -> dict[str, Table]:
    c, totals, tickets = report.cell, report.totals, report.handoffs
    counts_head = ["Người dân", "Bắt đầu", "Làm xong", "Tỉ lệ xong", "Xác nhận 👍"]

    def counts_row(counts: Counts) -> list[Cell | float | str | None]:
        return [c(counts.reached), c(counts.started), c(counts.finished),
                _percent(report.rate(counts)), c(counts.confirmed)]

    return {
        "summary": (["Chỉ số", "Giá trị"], [
            ["Người dân được hỗ trợ", c(totals.reached)],
            ["Lượt bắt đầu hướng dẫn", c(totals.started)],
            ["Lượt làm xong", c(totals.finished)],
            ["Tỉ lệ làm xong", _percent(report.rate(totals))],
            ["Xác nhận làm được 👍", c(totals.confirmed)],
            ["Yêu cầu hỗ trợ đã mở", c(tickets.opened)],
            ["Yêu cầu được nhận", c(tickets.claimed)],
            ["Yêu cầu đã xử lý xong", c(tickets.resolved)],
            ["Thời gian chờ nhận (trung vị, phút)", report.median_claim_minutes],
        ]),
        "guides": (["Hướng dẫn", *counts_head[1:]],
                   [[title, *counts_row(counts)[1:]] for _, title, counts in report.guides]),
        "units": (["Đơn vị", *counts_head],
                  [[name, *counts_row(counts)] for _, name, counts in report.units]),
        "members": (["Thành viên", "Đơn vị", "Bắt đầu qua link", "Làm xong qua link"],
                    [[name, unit, c(started), c(done)]
                     for name, unit, started, done in report.members]),
        "indicators": (["Chỉ tiêu", "Người dân làm xong và xác nhận 👍"],
                       [[name, c(n)] for name, n in report.indicators]),
        "funnels": (["Hướng dẫn", "Bước", "Nội dung", "Số lượt đến", "Dừng sau bước này",
                     "Bấm «Tôi bị kẹt»", "Mất nhiều nhất"],
                    [[flow_id, i + 1, s.label, c(s.reached), c(s.lost), c(s.stuck),
                      "✔" if s.biggest else ""]
                     for flow_id, steps in report.funnels.items()
                     for i, s in enumerate(steps)]),
        "unanswered": (["Câu hỏi", "Số người hỏi"],
                       [[text, c(n)] for text, n in report.unanswered]),
    }


def to_csv(table: Table) -> str:
    """A table as CSV for spreadsheet programs: a BOM (so they read UTF-8) and formula-like
    cells defused (a resident's question may start with ``=`` or ``+``)."""
    head, rows = table
    return csv_text(head, rows, bom=True)
