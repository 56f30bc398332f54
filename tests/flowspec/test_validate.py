"""Broken flow files give ``file:line: what is wrong``, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.flowspec import load_flows
from tests.conftest import FLOWS, ROOT

GOOD = """\
id: {id}
title: Tiêu đề
summary: Tóm tắt
steps:
  - id: first
    text: Bước một
  - id: last
    text: Xong
    end: completed
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_in(tmp_path: Path, text: str, name: str = "guide") -> list[str]:
    write(tmp_path, name, text)
    _, problems = load_flows([tmp_path])
    return [str(p).removeprefix(str(tmp_path) + "/") for p in problems]


def test_a_good_flow_has_no_problem(tmp_path: Path) -> None:
    assert problems_in(tmp_path, GOOD.format(id="guide")) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("id: guide\ntitle: [unclosed\n", "guide.yml:3: YAML syntax"),
    ("", "guide.yml:1: the file is empty"),
    ("- just\n- a list\n", "guide.yml:1: a flow file must be a mapping"),
    (GOOD.format(id="guide").replace("    end: completed", "    end: completed\n    colour: red"),
     "guide.yml:10: unknown field `colour`"),
    (GOOD.format(id="guide").replace("summary: Tóm tắt\n", ""),
     "guide.yml:1: missing field `summary`"),
    (GOOD.format(id="guide") + "  - id: first\n    text: again\n    end: completed\n",
     "guide.yml:10: duplicate step id `first`"),
    (GOOD.format(id="guide").replace("    text: Bước một",
                                     "    text: Bước một\n    next: nowhere"),
     "guide.yml:7: `next: nowhere` names no step of this flow"),
    (GOOD.format(id="guide").replace("    text: Bước một",
                                     "    text: Bước một\n    next: last")
     + "  - id: orphan\n    text: Không ai tới\n    end: completed\n",
     "guide.yml:11: step `orphan` cannot be reached from the first step"),
    (GOOD.format(id="guide").replace("Bước một", "x" * 4001),
     "guide.yml:6: steps.0.text: String should have at most 4000 characters"),
    (GOOD.format(id="guide").replace("    text: Bước một", "    text: Bước một\n    buttons:\n"
                                     + "      - {label: " + "x" * 41 + ", next: last}"),
     "guide.yml:8: steps.0.buttons.0.label: String should have at most 40 characters"),
    (GOOD.format(id="guide").replace("    text: Bước một", "    text: Bước một\n    buttons:\n"
                                     + "      - {label: a, next: last}\n" * 9),
     "guide.yml:8: steps.0.buttons: List should have at most 8 items"),
    (GOOD.format(id="guide").replace("Bước một", "Gọi {hotline}"),
     "guide.yml:6: unknown placeholder `{hotline}`"),
    (GOOD.format(id="other"), "guide.yml:1: flow id `other` must equal the file name `guide`"),
    (GOOD.format(id="guide").replace("    text: Bước một", "    text: Bước một\n    image: a.png"),
     "guide.yml:7: image `a.png` not found"),
    (GOOD.format(id="guide").replace("    text: Bước một",
                                     "    text: Bước một\n    image: ../../etc/passwd"),
     "guide.yml:7: steps.0.image: String should match pattern"),
    (GOOD.format(id="guide").replace("title: Tiêu đề", "title: Tiêu đề\ntitle: Lại"),
     "guide.yml:3: duplicate key `title`"),
    (GOOD.format(id="guide").replace("    text: Bước một", "    text: Bước một\n    buttons:\n"
                                     "      - {label: a, next: last, action: menu}"),
     "guide.yml:8: steps.0.buttons.0: a button needs exactly one of"),
])
def test_each_problem_is_reported_with_its_line(tmp_path: Path, text: str, expected: str) -> None:
    problems = problems_in(tmp_path, text)
    assert any(p.startswith(expected) for p in problems), problems


def test_duplicate_flow_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, "guide", GOOD.format(id="guide"))
    write(tmp_path, "copy", GOOD.format(id="guide"))
    _, problems = load_flows([tmp_path])
    assert any("duplicate flow id `guide`" in p.message for p in problems)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "flows", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def test_cli_validate_reports_and_exits_1_without_traceback(tmp_path: Path) -> None:
    write(tmp_path, "guide", "id: guide\nsteps: [\n")
    write(tmp_path, "binary", "")
    (tmp_path / "latin1.yml").write_bytes(b"id: caf\xe9\n")
    result = run_cli("validate", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{tmp_path}/guide.yml:") for line in lines)
    assert any(line.startswith(f"{tmp_path}/latin1.yml:1: not UTF-8") for line in lines)


def test_cli_validate_passes_on_the_real_flows() -> None:
    result = run_cli("validate", str(FLOWS))
    assert result.returncode == 0, result.stdout


def test_cli_list_json_counts_steps(tmp_path: Path) -> None:
    write(tmp_path, "guide", GOOD.format(id="guide"))
    result = run_cli("list", "--json", str(tmp_path))
    assert result.returncode == 0
    assert json.loads(result.stdout) == [
        {"id": "guide", "title": "Tiêu đề", "intents": [], "steps": 2}]


def test_json_schema_comes_from_the_models() -> None:
    result = run_cli("schema")
    schema = json.loads(result.stdout)
    assert schema["title"] == "Flow"
    assert "steps" in schema["required"]
    assert schema["$defs"]["Button"]["properties"]["label"]["maxLength"] == 40
