"""``python -m bot nlu train|evaluate|compare``: the NLU's commands."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.commands import nluloop
from bot.config import NluPaths
from bot.intents.evaluate import (
    load_examples,
    predict,
    rasa_for_evaluation,
    report,
    write_confusion_png,
)
from bot.intents.rasa_server import NluError, ensure_model

REPORTS = Path("reports")


def _paths(config: Path | None) -> NluPaths:
    return NluPaths() if config is None else NluPaths().with_config(config)


def _train(args: argparse.Namespace) -> int:
    if args.with_console_examples:
        return nluloop.train_with_console_examples(args)
    try:
        model = asyncio.run(ensure_model(_paths(args.config), force=args.force))
    except NluError as error:
        print(error, file=sys.stderr)
        return 1
    row = {
        "model": str(model.path),
        "trained_now": model.trained_now,
        "train_seconds": model.train_seconds,
    }
    if args.json:
        print(json.dumps(row))
    else:
        state = "trained" if model.trained_now else "up to date"
        print(f"{state}: {model.path} (training took {model.train_seconds} s)")
    return 0


def _print_report(result: dict[str, Any], file: Path, png: Path) -> None:
    print(
        f"{file}: n={result['n']}  accuracy={result['accuracy']:.3f}  "
        f"macro-F1={result['macro_f1']:.3f}  "
        f"latency p50={result['latency_ms_p50']} ms p95={result['latency_ms_p95']} ms"
    )
    print(f"\n{'intent':<18} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}")
    for intent, scores in result["per_intent"].items():
        print(
            f"{intent:<18} {scores['precision']:>6.2f} {scores['recall']:>6.2f} "
            f"{scores['f1']:>6.2f} {scores['support']:>4}"
        )
    if result["confused"]:
        print("\nmost confused (gold -> predicted):")
        for pair in result["confused"]:
            print(f"  {pair['gold']} -> {pair['predicted']}: {pair['count']}")
    print(f"\nconfusion matrix: {png}")


async def _evaluate_files(
    files: list[Path], config: Path | None, png: Path | None
) -> list[dict[str, Any]]:
    results = []
    async with rasa_for_evaluation(config) as recognizer:
        for file in files:
            predictions = await predict(recognizer, load_examples(file))
            result = report(predictions)
            label = (config or Path("config.yml")).stem
            target = png or REPORTS / f"confusion-{label}-{file.stem}.png"
            result["png"] = str(write_confusion_png(predictions, target, f"{label} on {file}"))
            result["file"] = str(file)
            results.append(result)
    return results


def _evaluate(args: argparse.Namespace) -> int:
    try:
        (result,) = asyncio.run(_evaluate_files([args.file], args.config, args.png))
    except (NluError, ValueError, OSError) as error:
        print(error, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print_report(result, args.file, Path(result["png"]))
    return 0


def _compare(args: argparse.Namespace) -> int:
    rows = []
    for config in args.configs:
        try:
            model = asyncio.run(ensure_model(_paths(config), force=args.retrain))
            results = asyncio.run(_evaluate_files(args.data, config, None))
        except (NluError, ValueError, OSError) as error:
            print(f"{config}: {error}", file=sys.stderr)
            return 1
        for result in results:
            rows.append(
                {
                    "config": str(config),
                    "data": result["file"],
                    "n": result["n"],
                    "accuracy": result["accuracy"],
                    "macro_f1": result["macro_f1"],
                    "latency_ms_p50": result["latency_ms_p50"],
                    "latency_ms_p95": result["latency_ms_p95"],
                    "train_seconds": model.train_seconds,
                }
            )
    if args.json:
        print(json.dumps(rows))
        return 0
    print("| config | data | n | accuracy | macro-F1 | p50 ms | p95 ms | train s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['config']} | {r['data']} | {r['n']} | {r['accuracy']:.3f} | "
            f"{r['macro_f1']:.3f} | {r['latency_ms_p50']} | {r['latency_ms_p95']} | "
            f"{r['train_seconds']} |"
        )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    nlu = commands.add_parser("nlu", help="train and measure the Rasa NLU model")
    sub = nlu.add_subparsers(dest="nlu_command", required=True)
    train = sub.add_parser("train", help="train the model unless its inputs are unchanged")
    train.add_argument("--config", type=Path, help="pipeline file (default: config.yml)")
    train.add_argument("--force", action="store_true", help="train even if a model exists")
    train.add_argument("--json", action="store_true")
    train.add_argument("--with-console-examples", action="store_true",
                       help="also the console's examples, then measure old and new (a job)")
    train.set_defaults(handler=_train)
    evaluate = sub.add_parser("evaluate", help="accuracy, F1, confusions and latency over HTTP")
    evaluate.add_argument("file", type=Path, help="TSV with header intent<TAB>text")
    evaluate.add_argument(
        "--config", type=Path, help="evaluate this pipeline on a local server instead of RASA_URL"
    )
    evaluate.add_argument("--png", type=Path, help="confusion matrix path (default: reports/)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.set_defaults(handler=_evaluate)
    compare = sub.add_parser("compare", help="evaluate several pipelines on several files")
    compare.add_argument("--configs", type=Path, nargs="+", required=True)
    compare.add_argument("--data", type=Path, nargs="+", required=True)
    compare.add_argument("--retrain", action="store_true", help="retrain to time training")
    compare.add_argument("--json", action="store_true")
    compare.set_defaults(handler=_compare)
    nluloop.register(sub)
