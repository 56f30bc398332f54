"""``python -m bot bench screenshots --json``: how well and how fast pictures are read.

Every picture of :mod:`bench.screenshot_corpus` goes through the reader (Tesseract, with
its per-worker limit of concurrent jobs) and the engine, as a new resident's first message,
with the keyword recognizer for intents. It reports, per kind: routed right (a known screen
opened at its guide and step; an everyday message not warned), warned (scam pictures whose
first answer is the warning), asked (the resident was asked to type or to call the team),
wrong (another guide or step, or a warning on an everyday message), and whether a wrong route
said what it read; then mean and p95 seconds per picture and the peak memory of the process
of the process. Last, text turns through the real conversation service (SQLite)
alone and while 10 pictures are read at once.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import resource
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.phone_images import Style, screenshot
from bench.screenshot_corpus import SCAMS, Picture, pictures
from bot.app import build_runtime
from bot.config import Settings
from bot.engine.catalog import Catalog
from bot.engine.engine import Engine, Turn
from bot.engine.messages import Inbound
from bot.engine.state import SessionState
from bot.flowspec import load_flows
from bot.intents.keywords import KeywordRecognizer
from bot.screenshots import ScreenReader
from bot.turn_contract import Incoming

TEXTS = ("cài vneid thế nào", "quên mật khẩu vssid", "chuyển tiền qua ngân hàng",
         "có người gọi xưng công an", "tích hợp bảo hiểm y tế", "đăng ký tạm trú")


def _verdict(picture: Picture, turn: Turn) -> str:
    routes = [e for e in turn.events if e.kind == "picture_read"]
    route = routes[0].data.get("route") if routes else None
    if picture.kind == "scam":
        return "warned" if route == "scam" else "asked" if route in (
            "not_placed", "no_text") else "wrong"
    if route == "scam":
        return "wrong"
    if picture.kind == "everyday":
        return "right"
    if route == "screen" and routes and (routes[0].flow_id, routes[0].step_id) == \
            picture.expected:
        return "right"
    return "asked" if route in ("not_placed", "no_text") else "wrong"


def _said_what_was_read(turn: Turn) -> bool:
    return any("Cháu thấy trong ảnh có dòng «" in r.text for r in turn.replies)


async def _read_all(engine: Engine, reader: ScreenReader, corpus: list[Picture]
                    ) -> dict[str, Any]:
    keywords = KeywordRecognizer(c.flow for c in engine.catalog.flows.values())
    seconds: list[float] = []
    tally: dict[str, Counter[str]] = {}
    silent_wrong: list[str] = []
    misses: list[str] = []
    for picture in corpus:
        started = time.perf_counter()
        read = await reader.read(picture.data)
        inbound = Inbound(text=read.text, picture=True)
        if engine.needs_intent(SessionState(), inbound):
            inbound = Inbound(text=read.text, picture=True,
                              intent=await keywords.recognize(read.text))
        turn = engine.step(SessionState(), inbound)
        seconds.append(time.perf_counter() - started)
        verdict = _verdict(picture, turn) if read.problem is None else "asked"
        tally.setdefault(picture.kind, Counter())[verdict] += 1
        if verdict == "wrong" and not _said_what_was_read(turn):
            silent_wrong.append(picture.name)
        if verdict != "right" and verdict != "warned":
            misses.append(f"{picture.name}: {verdict}")
    cuts = statistics.quantiles(seconds, n=20)
    by_kind = {kind: {"pictures": sum(c.values()), **dict(sorted(c.items()))}
               for kind, c in sorted(tally.items())}
    scams = tally.get("scam", Counter())
    screens = tally.get("screen", Counter())
    return {
        "pictures": len(corpus), "by_kind": by_kind,
        "scam_warned_percent": round(100 * scams["warned"] / max(1, sum(scams.values())), 1),
        "screens_routed_right_percent": round(100 * screens["right"]
                                              / max(1, sum(screens.values())), 1),
        "wrong_without_saying_what_was_read": silent_wrong,
        "not_right": misses,
        "seconds_mean": round(statistics.mean(seconds), 2),
        "seconds_p95": round(cuts[18], 2), "seconds_max": round(max(seconds), 2),
    }


async def _text_latency(settings: Settings, reader: ScreenReader, pictures_at_once: int,
                        turns: int) -> dict[str, Any]:
    """Text turns through the real service, alone and while pictures are being read."""
    burst = [screenshot(sender, [text], style) for style, sender, text in
             SCAMS[:pictures_at_once]]
    while len(burst) < pictures_at_once:
        burst.append(burst[len(burst) % len(SCAMS)])
    report: dict[str, Any] = {"pictures_at_once": pictures_at_once, "ocr_jobs": reader.jobs,
                              "ocr_niceness": reader.niceness}
    async with build_runtime(settings) as runtime:
        async def typed(tag: str) -> list[float]:
            latencies = []
            for i in range(turns):
                started = time.perf_counter()
                await runtime.service.handle_turn(Incoming(
                    "web", f"{tag}-{i % 5}", text=TEXTS[i % len(TEXTS)]))
                latencies.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.05)  # a resident every 50 ms, not a flood
            return latencies

        await typed("warm")
        alone = await typed("alone")
        reading = [asyncio.create_task(reader.read(data)) for data in burst]
        started = time.perf_counter()
        during = await typed("during")
        await asyncio.gather(*reading)
        report["burst_seconds"] = round(time.perf_counter() - started, 1)
    for name, values in (("alone", alone), ("while_reading", during)):
        cuts = statistics.quantiles(values, n=20)
        report[name] = {"turns": len(values), "ms_p50": round(statistics.median(values), 1),
                        "ms_p95": round(cuts[18], 1)}
    return report


def _peak_mb() -> dict[str, float]:
    """The bot process's peak (Pillow's images, the engine, the service). Tesseract runs as
    a child process per picture; the kernel's figure for children counts the memory they
    shared with this process at fork, so it is not reported."""
    return {"process_peak_rss_mb":
            round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(nlu_mode="keywords", flows_dir=Path(args.flows))
    reader = ScreenReader(jobs=args.ocr_jobs, timeout=settings.ocr_timeout,
                          niceness=args.ocr_niceness)
    if not reader.ready():
        return {"error": "Tesseract with the vie model is not installed (make ocr)"}
    loaded, _ = load_flows([settings.flows_dir])
    engine = Engine(Catalog(item.flow for item in loaded))
    corpus = list(pictures(engine.catalog, looks=args.looks))
    report: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus, {platform.python_version()}",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "looks_per_text": args.looks,
        "styles": sorted(s.value for s in Style),
    }
    report["reading"] = await _read_all(engine, reader, corpus)
    with tempfile.TemporaryDirectory() as folder:
        text_settings = Settings(nlu_mode="keywords", flows_dir=settings.flows_dir,
                                 communes_dir=settings.flows_dir / "communes",
                                 database_url=f"sqlite+aiosqlite:///{folder}/bench.db")
        report["text_turns"] = await _text_latency(text_settings, reader, args.at_once,
                                                   args.text_turns)
    report.update(_peak_mb())
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return report


def run(args: argparse.Namespace) -> dict[str, Any]:
    return asyncio.run(_run(args))


def _bench_screenshots(args: argparse.Namespace) -> int:
    report = run(args)
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 2))
    return 1 if "error" in report else 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("screenshots", help="how well and how fast pictures are read")
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    parser.add_argument("--looks", type=int, default=2,
                        help="screenshots: renderings of each text (light/dark, widths)")
    parser.add_argument("--ocr-jobs", type=int, default=2,
                        help="screenshots: pictures read at once (the server's OCR_JOBS)")
    parser.add_argument("--ocr-niceness", type=int, default=10,
                        help="screenshots: the OCR threads' CPU priority (the server's "
                             "OCR_NICENESS; 0: the same as text turns)")
    parser.add_argument("--at-once", type=int, default=10,
                        help="screenshots: pictures read while text turns are timed")
    parser.add_argument("--text-turns", type=int, default=40,
                        help="screenshots: text turns timed, alone and during the burst")
    parser.add_argument("--flows", default="flows", help="screenshots: the guides' folder")
    parser.set_defaults(handler=_bench_screenshots)
