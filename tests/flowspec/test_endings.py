"""Endings that match their paths: a step marked `waits` (the rest happens later or
elsewhere) may not lead to an `end: completed` step; `flows validate` says where."""

from __future__ import annotations

from pathlib import Path

from bot.flowspec import load_flows

WAITING = """\
id: guide
title: Tiêu đề
summary: Tóm tắt
steps:
  - id: police
    waits: true
    text: Bác ra công an, chờ 7 đến 10 ngày.
  - id: done
    text: 🎉 Bác làm được rồi!
    end: {end}
"""


def problems(tmp_path: Path, end: str) -> list[str]:
    (tmp_path / "guide.yml").write_text(WAITING.format(end=end), encoding="utf-8")
    _, found = load_flows([tmp_path])
    return [str(p).removeprefix(str(tmp_path) + "/") for p in found]


def test_a_waiting_path_cannot_end_completed(tmp_path: Path) -> None:
    assert any(p.startswith("guide.yml:6: step `police` waits") for p in problems(tmp_path,
                                                                                 "completed"))


def test_a_waiting_path_may_end_pending(tmp_path: Path) -> None:
    assert problems(tmp_path, "pending") == []
