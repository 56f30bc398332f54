"""A report as JSON (the API), as named tables (the dashboard) and as CSV (every table).

Every cell comes from :meth:`Report.shown`, where small figures are hidden ("<5") and the
cells that would give them away withheld ("—"), so page, API and CSV agree; no table
carries a resident's id, name, number or message, only counts, guides, steps, units and the
names of team members.
"""

from __future__ import annotations

from typing import Any

from bot.privacy.spreadsheet import csv_text
from bot.reports.access import Cell
from bot.reports.funnels import FunnelStep
from bot.reports.results import Report
from bot.reports.suppression import WITHHELD

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
    shown = report.shown
    reached, started, finished, confirmed = report.counts("totals")
    return {
        "unit_id": report.unit_id, "unit": report.unit_name,
        "from": report.period.first.isoformat(), "to": report.period.last.isoformat(),
        "exact": report.exact,
        "residents_reached": reached, "guides_started": started,
        "guides_completed": finished, "completion_rate": report.rate("totals"),
        "confirmed": confirmed,
        "handoffs_opened": shown("tickets.opened"), "handoffs_claimed": shown("tickets.claimed"),
        "handoffs_resolved": shown("tickets.resolved"),
        "median_minutes_to_claim": report.median_claim_minutes,
        "guides": {flow_id: _counts(report, f"guide.{flow_id}", reached=False)
                   for flow_id, _, _ in report.guides},
        "indicators": {name: shown(f"indicator.{name}") for name, _ in report.indicators},
        "units": {unit_id: _counts(report, f"unit.{unit_id}") for unit_id, _, _ in report.units},
        "members": [{"name": name, "unit": unit, "started": shown(f"member.{n}.started"),
                     "finished": shown(f"member.{n}.finished")}
                    for n, (name, unit, _, _) in enumerate(report.members)],
        "funnels": {flow_id: [dict(zip(("step_id", "reached", "stuck", "biggest_loss"),
                                       _step(report, flow_id, i, s), strict=True))
                              for i, s in enumerate(steps)]
                    for flow_id, steps in report.funnels.items()},
        "top_unanswered": [{"text": text, "residents": n} for text, n in report.unanswered],
    }


def _step(report: Report, flow_id: str, index: int, step: FunnelStep
          ) -> tuple[str, Cell, Cell, bool]:
    reached, _, stuck = report.step(flow_id, index)
    return step.step_id, reached, stuck, step.biggest and report.shown(
        f"funnel.{flow_id}.{index}.lost") != WITHHELD


def _counts(report: Report, prefix: str, *, reached: bool = True) -> dict[str, Any]:
    people, started, finished, confirmed = report.counts(prefix)
    return {**({"residents_reached": people} if reached else {}),
            "guides_started": started, "guides_completed": finished, "confirmed": confirmed,
            "completion_rate": report.rate(prefix)}


def tables(report: Report) -> dict[str, Table]:
    shown = report.shown
    counts_head = ["Người dân", "Bắt đầu", "Làm xong", "Tỉ lệ xong", "Xác nhận 👍"]

    def counts_row(prefix: str) -> list[Cell | float | str | None]:
        reached, started, finished, confirmed = report.counts(prefix)
        return [reached, started, finished, _percent(report.rate(prefix)), confirmed]

    reached, started, finished, confirmed = report.counts("totals")
    return {
        "summary": (["Chỉ số", "Giá trị"], [
            ["Người dân được hỗ trợ", reached],
            ["Lượt bắt đầu hướng dẫn", started],
            ["Lượt làm xong", finished],
            ["Tỉ lệ làm xong", _percent(report.rate("totals"))],
            ["Xác nhận làm được 👍", confirmed],
            ["Yêu cầu hỗ trợ đã mở", shown("tickets.opened")],
            ["Yêu cầu được nhận", shown("tickets.claimed")],
            ["Yêu cầu đã xử lý xong", shown("tickets.resolved")],
            ["Thời gian chờ nhận (trung vị, phút)", report.median_claim_minutes],
        ]),
        "guides": (["Hướng dẫn", *counts_head[1:]],
                   [[title, *counts_row(f"guide.{flow_id}")[1:]]
                    for flow_id, title, _ in report.guides]),
        "units": (["Đơn vị", *counts_head],
                  [[name, *counts_row(f"unit.{unit_id}")] for unit_id, name, _ in report.units]),
        "members": (["Thành viên", "Đơn vị", "Bắt đầu qua link", "Làm xong qua link"],
                    [[name, unit, shown(f"member.{n}.started"), shown(f"member.{n}.finished")]
                     for n, (name, unit, _, _) in enumerate(report.members)]),
        "indicators": (["Chỉ tiêu", "Người dân làm xong và xác nhận 👍"],
                       [[name, shown(f"indicator.{name}")] for name, _ in report.indicators]),
        "funnels": (["Hướng dẫn", "Bước", "Nội dung", "Số lượt đến", "Dừng sau bước này",
                     "Bấm «Tôi bị kẹt»", "Mất nhiều nhất"],
                    [[flow_id, i + 1, s.label, *report.step(flow_id, i),
                      "✔" if _step(report, flow_id, i, s)[3] else ""]
                     for flow_id, steps in report.funnels.items()
                     for i, s in enumerate(steps)]),
        "unanswered": (["Câu hỏi", "Số người hỏi"],
                       [[text, n] for text, n in report.unanswered]),
    }


def to_csv(table: Table) -> str:
    """A table as CSV for spreadsheet programs: a BOM (so they read UTF-8) and formula-like
    cells defused (a resident's question may start with ``=`` or ``+``)."""
    head, rows = table
    return csv_text(head, rows, bom=True)
