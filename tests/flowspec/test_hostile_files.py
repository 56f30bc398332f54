"""Hostile and careless flow files: each is reported as ``file:line: message``, quickly, and
never raises or hangs (the loader of issue #9)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.flows import _validate
from bot.flowspec import load_flows
from bot.flowspec.loader import parse_flow
from bot.flowspec.safeyaml import MAX_CHARS

GOOD = Path(__file__).parents[2] / "flows" / "vneid_install.yml"


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join([*lines, f"id: *a{levels - 1}"]) + "\n"


HOSTILE = {
    "impossible_date": ("id: a\ntitle: A\nreviewed: 2026-02-30\n", 3, "not a valid date"),
    "unhashable_key": ("id: b\n[a, b]: c\n", 2, "a key must be plain text"),
    "mapping_key": ("id: b\n? {a: 1}\n: c\n", 2, "a key must be plain text"),
    "merge_key": ("base: &b {x: 1}\nid: c\n<<: *b\n", 3, "merge keys"),
    "recursive_alias": ("id: x\nsteps: &s [*s]\n", 2, "refers to itself"),
    "undefined_alias": ("id: x\nsteps: *nowhere\n", 2, "has no anchor"),
    "deep_lists": ("x: " + "[" * 1000 + "]" * 1000 + "\n", 1, "nested more than"),
    "deep_maps": ("x:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 60)), 33,
                  "nested more than"),
    "unknown_tag": ("id: !foo bar\n", 1, "unknown tag `!foo`"),
    "python_tag": ("id: !!python/object/apply:os.system [ls]\n", 1, "unknown tag"),
    "binary_tag": ("id: !!binary aGVsbG8=\n", 1, "unknown tag"),
    "billion_laughs": (_bomb(), 5, "too many values"),
    "huge_int": ("id: " + "9" * 5000 + "\n", 1, "not a valid number"),
    "two_documents": ("id: a\n---\nid: b\n", 2, "only one document"),
    "syntax": ("id: [a\n", 2, "YAML syntax"),
    "too_large": ("x: " + "a" * (MAX_CHARS + 1) + "\n", 1, "too large"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_one_located_problem(name: str) -> None:
    text, line, message = HOSTILE[name]
    started = time.perf_counter()
    loaded, problems = parse_flow(text, "flows/x.yml")
    assert time.perf_counter() - started < 2
    assert loaded is None
    assert [(p.line, message in p.message) for p in problems] == [(line, True)], problems


def test_validate_reports_broken_files_and_keeps_the_good(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    for name, (text, _, _) in HOSTILE.items():
        (tmp_path / f"{name}.yml").write_text(text, encoding="utf-8")
    (tmp_path / "latin1.yml").write_bytes("id: caf\xe9\n".encode("latin-1"))
    (tmp_path / GOOD.name).write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    started = time.perf_counter()
    code = _validate(argparse.Namespace(paths=[tmp_path]))
    assert time.perf_counter() - started < 10
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.out + out.err
    # The good guide links to guides left out here: only those links are reported for it.
    files = {line.split(":", 1)[0] for line in out.out.splitlines()} - {str(tmp_path / GOOD.name)}
    assert files == {str(tmp_path / f"{name}.yml") for name in [*HOSTILE, "latin1"]}
    loaded, _ = load_flows([tmp_path])
    assert [item.flow.id for item in loaded] == ["vneid_install"]


def test_aliases_within_the_budget_still_work() -> None:
    good = GOOD.read_text(encoding="utf-8")
    text = "x-label: &label Xong\n" + good
    _, problems = parse_flow(text, str(GOOD))
    assert [p.message for p in problems] == ["unknown field `x-label`"]


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!<>?|#'\"\n ,.0123456789\t%@`")),
               max_size=300))
def test_no_text_makes_the_loader_raise(text: str) -> None:
    loaded, problems = parse_flow(text, "f.yml")
    assert loaded is None or loaded.flow.id
    assert all(p.line >= 1 for p in problems)
