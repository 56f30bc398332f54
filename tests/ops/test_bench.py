"""The benchmark runs end to end and reports what the README table needs (no speed is
asserted: figures are for a quiet machine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def test_bench_reports_turns_latency_and_cpu_per_setup() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bench", "--json", "--nlu", "keywords",
         "--setups", "sqlite,postgres", "--residents", "1,3", "--turns", "6", "--total", "12"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["skipped"] == ["postgres: set TEST_DATABASE_URL or --postgres-url"]
    assert len(report["load_average_at_start"]) == 3
    assert [s["rate_limits"] for s in report["setups"]] == ["off", "on"]
    for setup in report["setups"]:
        assert setup["setup"] == "sqlite" and setup["workers"] == 1
        rows = {(r["kind"], r["residents"]): r for r in setup["scenarios"]}
        assert set(rows) == {("button", 1), ("button", 3), ("text", 1), ("text", 3)}
        assert rows[("button", 3)]["turns"] == 15  # 3 residents x max(5, min(6, 12 // 3))
        for row in rows.values():
            assert row["turns_per_second"] > 0 and row["bot_cpu_ms_per_turn"] >= 0  # 10 ms
            assert row["latency_ms_p50"] <= row["latency_ms_p95"] <= row["latency_ms_p99"]
            assert "rasa_cpu_ms_per_turn" not in row  # keywords: no Rasa to measure
    assert report["rate_limiter"]["checks_in_process"]["us_per_message"] > 0
    limiter = {row["residents"]: row for row in report["rate_limiter"]["button_throughput"]}
    assert set(limiter) == {1, 3} and limiter[3]["turns_per_second_on"] > 0
    masking = report["masking"]
    assert masking["with_secrets"]["messages"] > 100
    assert 0 < masking["plain"]["us_mean"] <= masking["plain"]["us_p99"]
