"""The cost of masking one message (``bot.privacy.mask``), in process: the held-out questions
residents type, and the same questions carrying a phone number, an OTP and a password."""

from __future__ import annotations

import statistics
import time
from typing import Any

from bot.privacy import mask

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
