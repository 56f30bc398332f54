"""Measure models on the held-out sets, the way the bot uses them: every sentence over HTTP
to a Rasa server, then through the engine's routing policy.

Several models share one temporary server: it starts with the first, and ``PUT /model``
loads the next (that stalls the server while it loads, which is harmless here: no resident
talks to it). Figures per model: accuracy, macro-F1, per-intent precision/recall/F1, the
(gold, predicted) counts behind the confusion matrix, and the routing outcomes (opened the
right guide / clarified with the right option / clarified without it / wrong).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bot.config import NluPaths
from bot.engine.catalog import Catalog
from bot.engine.routing import route_intent
from bot.intents.base import IntentResult
from bot.intents.evaluate import NO_INTENT, Example, Prediction, load_examples, report
from bot.intents.rasa import RasaRecognizer
from bot.intents.rasa_server import NluError, RasaServer, free_port

OUTCOMES = ("right", "clarified_right", "clarified_other", "wrong")
LOAD_TIMEOUT = 300.0
PARSE_TIMEOUT = 10.0
ERRORS_KEPT = 40

Progress = Callable[[int], Awaitable[None]]  # index of the model being measured


@dataclass(frozen=True)
class HeldOut:
    examples: tuple[Example, ...]
    files: tuple[str, ...]
    console: int  # of which the console's test examples

    @property
    def key(self) -> str:
        """Two measurements compare only on the same sentences."""
        digest = hashlib.sha256()
        for example in self.examples:
            digest.update(f"{example.intent}\t{example.text}\n".encode())
        return digest.hexdigest()[:16]


def held_out(files: Sequence[Path], console: Sequence[tuple[str, str]]) -> HeldOut:
    examples = [e for file in files for e in load_examples(file)]
    examples += [Example(intent, text) for intent, text in console]
    return HeldOut(tuple(examples), tuple(f.name for f in files), len(console))


def outcome(result: IntentResult, gold: str, catalog: Catalog) -> str:
    route = route_intent(result, catalog)
    if route.flow_id is not None:
        return "right" if catalog.by_intent.get(gold) == route.flow_id else "wrong"
    if route.builtin is not None:
        return "right" if route.builtin == gold else "wrong"
    if route.candidates:
        return "clarified_right" if gold in route.candidates else "clarified_other"
    return "wrong"


async def _measure(client: RasaRecognizer, data: HeldOut, catalog: Catalog | None
                   ) -> dict[str, Any]:
    await client.recognize("xin chào")
    predictions, outcomes = [], Counter[str]()
    for example in data.examples:
        result = await client.recognize(example.text)
        top = result.top
        predictions.append(Prediction(example, top.name if top else NO_INTENT,
                                      top.confidence if top else 0.0, 0.0))
        if catalog is not None:
            outcomes[outcome(result, example.intent, catalog)] += 1
    scores = report(predictions)
    pairs = Counter((p.example.intent, p.intent) for p in predictions)
    return {"n": scores["n"], "accuracy": scores["accuracy"], "macro_f1": scores["macro_f1"],
            "per_intent": scores["per_intent"], "errors": scores["errors"][:ERRORS_KEPT],
            "pairs": [[gold, guess, count] for (gold, guess), count in sorted(pairs.items())],
            "routing": {name: outcomes[name] for name in OUTCOMES} if catalog else None,
            "key": data.key, "files": list(data.files), "console_tests": data.console}


async def measure_models(models: Sequence[Path], data: HeldOut, paths: NluPaths,
                         catalog: Catalog | None, progress: Progress | None = None
                         ) -> list[dict[str, Any]]:
    """One result per model, in order."""
    server = RasaServer(models[0], free_port(), secrets.token_urlsafe(16), paths)
    await server.start()
    client = RasaRecognizer(server.url, server.token, timeout=PARSE_TIMEOUT)
    results = []
    try:
        for index, model in enumerate(models):
            if progress is not None:
                await progress(index)
            if index:
                await _load(server, model)
            results.append(await _measure(client, data, catalog))
    finally:
        await client.aclose()
        await server.stop()
    return results


async def _load(server: RasaServer, model: Path) -> None:
    async with httpx.AsyncClient(timeout=LOAD_TIMEOUT) as http:
        reply = await http.put(f"{server.url}/model", json={"model_file": str(model)},
                               params={"token": server.token})
    if reply.status_code != 204:
        raise NluError(f"Rasa did not load {model.name} (HTTP {reply.status_code})")


def compare(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """Per intent, old and new side by side (F1, recall, precision), changes first."""
    rows = []
    old_scores = (old or {}).get("per_intent", {})
    for intent in sorted(set(old_scores) | set(new["per_intent"])):
        before, after = old_scores.get(intent), new["per_intent"].get(intent)
        rows.append({
            "intent": intent, "support": (after or before or {}).get("support", 0),
            "old_f1": before and before["f1"], "new_f1": after and after["f1"],
            "old_recall": before and before["recall"], "new_recall": after and after["recall"],
            "old_precision": before and before["precision"],
            "new_precision": after and after["precision"]})
    rows.sort(key=lambda r: (-abs((r["new_f1"] or 0) - (r["old_f1"] or 0)), r["intent"]))
    return rows
