"""Measure the NLU the way the bot uses it: every message through HTTP ``/model/parse``.

Going through the same client as the bot means the latency figures include HTTP and JSON,
and a broken server, token or model shows up here rather than in front of residents.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import NluPaths
from bot.intents.rasa import RasaRecognizer
from bot.intents.rasa_server import RasaServer, ensure_model, free_port

NO_INTENT = "(none)"
EVAL_TIMEOUT = 10.0  # evaluation waits for slow answers instead of counting them as errors


@dataclass(frozen=True)
class Example:
    intent: str
    text: str


@dataclass(frozen=True)
class Prediction:
    example: Example
    intent: str
    confidence: float
    latency_ms: float


def load_examples(path: Path) -> list[Example]:
    """Read ``intent<TAB>text`` lines after a header row."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if reader.fieldnames is None or not {"intent", "text"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: the header must be intent<TAB>text")
        return [
            Example(row["intent"].strip(), row["text"].strip())
            for row in reader
            if row.get("intent") and row.get("text")
        ]


@contextlib.asynccontextmanager
async def rasa_for_evaluation(config: Path | None = None) -> AsyncIterator[RasaRecognizer]:
    """The server at RASA_URL if it answers (and no other config is asked for), else a local
    server trained (if needed) from ``config`` (default: config.yml)."""
    url = os.environ.get("RASA_URL")
    if url and config is None:
        remote = RasaRecognizer(url, os.environ.get("RASA_TOKEN"), timeout=EVAL_TIMEOUT)
        if await remote.healthy():
            try:
                yield remote
            finally:
                await remote.aclose()
            return
        await remote.aclose()
    paths = NluPaths() if config is None else NluPaths().with_config(config)
    model = await ensure_model(paths)
    server = RasaServer(model.path, free_port(), secrets.token_urlsafe(24), paths)
    await server.start()
    client = RasaRecognizer(server.url, server.token, timeout=EVAL_TIMEOUT)
    try:
        yield client
    finally:
        await client.aclose()
        await server.stop()


async def predict(recognizer: RasaRecognizer, examples: Sequence[Example]) -> list[Prediction]:
    """Parse one message at a time (after one warm-up), timing each round trip."""
    await recognizer.recognize("xin chào")
    predictions = []
    for example in examples:
        started = time.perf_counter()
        result = await recognizer.recognize(example.text)
        elapsed = (time.perf_counter() - started) * 1000
        top = result.top
        predictions.append(
            Prediction(
                example, top.name if top else NO_INTENT, top.confidence if top else 0.0, elapsed
            )
        )
    return predictions


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def report(predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Accuracy, macro-F1 (over gold and predicted labels), per-intent scores, confusions."""
    pairs = [(p.example.intent, p.intent) for p in predictions]
    labels = sorted({gold for gold, _ in pairs} | {guess for _, guess in pairs})
    per_intent: dict[str, dict[str, float | int]] = {}
    for label in labels:
        tp = sum(1 for gold, guess in pairs if gold == label == guess)
        predicted = sum(1 for _, guess in pairs if guess == label)
        support = sum(1 for gold, _ in pairs if gold == label)
        precision, recall = _ratio(tp, predicted), _ratio(tp, support)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
        }
    confusions = Counter((gold, guess) for gold, guess in pairs if gold != guess)
    latencies = [p.latency_ms for p in predictions]
    correct = [p.confidence for p in predictions if p.example.intent == p.intent]
    wrong = [p.confidence for p in predictions if p.example.intent != p.intent]
    return {
        "n": len(pairs),
        "accuracy": round(_ratio(sum(1 for g, p in pairs if g == p), len(pairs)), 4),
        "macro_f1": round(
            sum(float(s["f1"]) for s in per_intent.values()) / max(1, len(per_intent)), 4
        ),
        "latency_ms_p50": round(percentile(latencies, 50), 2) if latencies else None,
        "latency_ms_p95": round(percentile(latencies, 95), 2) if latencies else None,
        "confidence_median_correct": round(percentile(correct, 50), 3) if correct else None,
        "confidence_median_wrong": round(percentile(wrong, 50), 3) if wrong else None,
        "per_intent": per_intent,
        "confused": [
            {"gold": g, "predicted": p, "count": c} for (g, p), c in confusions.most_common(8)
        ],
        "errors": [
            {
                "gold": p.example.intent,
                "predicted": p.intent,
                "text": p.example.text,
                "confidence": round(p.confidence, 3),
            }
            for p in predictions
            if p.example.intent != p.intent
        ],
    }


def write_confusion_png(predictions: Sequence[Prediction], path: Path, title: str) -> Path:
    """A confusion matrix (rows: gold, columns: predicted) as a PNG, for eyeballing errors."""
    counts = Counter((p.example.intent, p.intent) for p in predictions)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(confusion_image(counts, title))
    return path


def confusion_image(counts: Mapping[tuple[str, str], int], title: str, fmt: str = "png"
                    ) -> bytes:
    """The confusion matrix of (gold, predicted) counts as PNG or SVG bytes. A plain Figure
    (no pyplot state), so the console can draw it in a thread."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = sorted({gold for gold, _ in counts} | {guess for _, guess in counts})
    index = {label: i for i, label in enumerate(labels)}
    grid = [[0] * len(labels) for _ in labels]
    for (gold, guess), count in counts.items():
        grid[index[gold]][index[guess]] += count
    size = 3 + 0.45 * len(labels)
    figure = Figure(figsize=(size, size))
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.imshow(grid, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    axes.set_title(title, fontsize=9)
    for row, values in enumerate(grid):
        for col, count in enumerate(values):
            if count:
                colour = "white" if row == col else "crimson"
                axes.text(col, row, str(count), ha="center", va="center", fontsize=7, color=colour)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=110)
    return buffer.getvalue()
