"""The NLU data itself: every guide's intent is trained, and no measured sentence is trained on.

These read the YAML and TSV files only (no Rasa), so they run in the fast suite. A held-out or
dev sentence that also sits in the training data (even with other diacritics or case) would
make the measured figures in the README meaningless.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.engine.routing import BUILTINS
from bot.flowspec import load_flows
from bot.text import fold, strip_diacritics

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "nlu" / "training"
HELDOUT = ROOT / "nlu" / "tests" / "heldout.tsv"
NOISY = ROOT / "nlu" / "tests" / "heldout_noisy.tsv"
DEV = next(
    (d / "shared" / "nlu" / "dev.tsv" for d in ROOT.parents if (d / "shared" / "nlu").is_dir()),
    ROOT.parent / "shared" / "nlu" / "dev.tsv",
)
V2_INTENTS = {"payment_transfer", "admin_reorg", "vneid_residence", "vneid_health_book",
              "digital_signature"}
MIN_EXAMPLES = 49  # the smallest v1 intent; the v2 intents have at least 50
ENTITY = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def _key(text: str) -> str:
    """What makes two sentences "the same" to the model: case, diacritics, punctuation."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(ENTITY.sub(r"\1", text))).split())


def _training() -> dict[str, list[str]]:
    examples: dict[str, list[str]] = {}
    for file in sorted(TRAINING.glob("*.yml")):
        for block in yaml.safe_load(file.read_text(encoding="utf-8"))["nlu"]:
            if "intent" in block:
                lines = [line[2:] for line in block["examples"].splitlines() if line.strip()]
                examples.setdefault(block["intent"], []).extend(lines)
    return examples


def _tsv(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["intent"], row["text"]) for row in rows]


def test_every_guide_and_builtin_is_trained_and_nothing_else() -> None:
    loaded, problems = load_flows([ROOT / "flows"])
    assert problems == []
    wanted = {i for item in loaded for i in item.flow.intents} | set(BUILTINS)
    trained = _training()
    assert set(trained) == wanted
    for intent, examples in trained.items():
        least = 50 if intent in V2_INTENTS else MIN_EXAMPLES
        assert len(examples) >= least, intent
        assert len(set(examples)) == len(examples), f"{intent}: duplicate examples"


def test_an_example_belongs_to_one_intent() -> None:
    owners: dict[str, set[str]] = {}
    for intent, examples in _training().items():
        for example in examples:
            owners.setdefault(_key(example), set()).add(intent)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_heldout_covers_every_intent_and_is_never_trained_on() -> None:
    trained = {_key(e) for examples in _training().values() for e in examples}
    rows = _tsv(HELDOUT)
    counts = Counter(intent for intent, _ in rows)
    assert set(counts) == set(_training())
    for intent, count in counts.items():
        assert count >= (15 if intent in V2_INTENTS else 12), intent
    leaked = [text for _, text in rows if _key(text) in trained]
    assert leaked == []


def test_noisy_set_is_the_heldout_set_made_noisy() -> None:
    heldout, noisy = _tsv(HELDOUT), _tsv(NOISY)
    assert [intent for intent, _ in noisy] == [intent for intent, _ in heldout]
    for (_, clean), (_, dirty) in zip(heldout, noisy, strict=True):
        assert strip_diacritics(dirty) == dirty, "the noisy set has no diacritics"
        assert len(dirty) <= len(clean)


@pytest.mark.skipif(not DEV.exists(), reason="shared/nlu/dev.tsv is not checked out")
def test_dev_set_is_never_trained_on() -> None:
    trained = {_key(e) for examples in _training().values() for e in examples}
    assert [text for _, text in _tsv(DEV) if _key(text) in trained] == []
