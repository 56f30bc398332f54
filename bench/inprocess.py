"""Costs measured in process, free of the machine's load: masking one message
(``bot.privacy.mask``: the held-out questions residents type, and the same questions carrying
a phone number, an OTP and a password), and the rate limiter's checks of one message."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from bot.privacy import mask
from bot.ratelimit import RateLimits, RateRules
from bot.storage.database import create_engine
from bot.storage.rate_counters import RateCounterStore
from bot.storage.runner import Transactions

SECRETS = (" sdt 0915 468 791", " mã otp là 583021", " mật khẩu của tôi là Saigon#7788",
           " cccd001066012399", " bốn tám ba chín hai không")


def masking_cost(questions: list[str], rounds: int = 5) -> dict[str, Any]:
    """Microseconds per message (mean and 99th percentile) for plain and secret-bearing text."""
    report: dict[str, Any] = {}
    with_secrets = [q + SECRETS[i % len(SECRETS)] for i, q in enumerate(questions)]
    for name, texts in (("plain", questions), ("with_secrets", with_secrets)):
        timings: list[float] = []
        for _ in range(rounds):
            for text in texts:
                started = time.perf_counter()
                mask(text)
                timings.append((time.perf_counter() - started) * 1e6)
        report[name] = {"messages": len(timings),
                        "mean_chars": round(statistics.mean(len(t) for t in texts), 1),
                        "us_mean": round(statistics.mean(timings), 1),
                        "us_p99": round(statistics.quantiles(timings, n=100)[98], 1)}
    return report


def limiter_cost(folder: Path, residents: int = 200, rounds: int = 50) -> dict[str, Any]:
    """Microseconds for the checks of one message (its resident's count and, for a new
    resident, its address's), as the web chat pays them before a turn; no sync happens."""
    engine = create_engine(f"sqlite+aiosqlite:///{folder}/limits.db")  # never connected
    limits = RateLimits(RateRules(), RateCounterStore(Transactions(engine)))
    started = time.perf_counter()
    for turn in range(rounds):
        for resident in range(residents):
            limits.resident("web", f"bench-{resident}")
            if turn == 0:
                limits.new_resident("127.0.0.1")
    elapsed = time.perf_counter() - started
    return {"checks": residents * rounds, "us_per_message": round(elapsed * 1e6 /
                                                                  (residents * rounds), 2)}
