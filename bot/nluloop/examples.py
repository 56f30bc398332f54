"""Training phrases: the repository's (``nlu/training/*.yml``, read-only) and the console's.

Every console example is masked again on its way in and on its way out (training data,
export), whatever its source: a number typed by a resident, or pasted by an editor, never
reaches a model or a file. ``[mã số]``-style labels stay as they are.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.accounts import Permission, Principal, require
from bot.accounts.roles import cli_actor
from bot.clock import Clock
from bot.config import REPO
from bot.intents.evaluate import load_examples
from bot.privacy import mask
from bot.storage.audit import AuditEntry
from bot.storage.nlu import Duplicate, ExampleRow, NluStore
from bot.text import fold

MIN_CHARS, MAX_CHARS = 2, 300
MAX_ID = 2**62  # ids from a URL: larger ones exist nowhere (and overflow BIGINT)
OUT_OF_SCOPE = "out_of_scope"
EXPORT_FILE = "console.yml"
HELDOUT = sorted((REPO / "nlu" / "tests").glob("*.tsv"))
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)")  # "[iphone](platform)" -> "iphone"


class Invalid(ValueError):
    """A phrase or intent the console refuses (the message says why, in Vietnamese)."""


def entry(principal: Principal | None, action: str, target: str, **details: object
          ) -> AuditEntry:
    if principal is None:
        return AuditEntry(None, cli_actor(), action, target, dict(details))
    return AuditEntry(principal.account_id, principal.login, action, target, dict(details))


def text_key(text: str) -> str:
    """Sentences that train the same: no case, diacritics or punctuation."""
    return fold(_ENTITY.sub(r"\1", text))[:300]


def clean(text: str) -> str:
    """A phrase as it may be stored: masked, one line, trimmed."""
    return mask(" ".join(text.split()))


def read_repo_examples(training: Path) -> dict[str, list[str]]:
    """intent -> the examples of ``training/*.yml`` (as written, entity marks included)."""
    found: dict[str, list[str]] = {}
    for file in sorted(training.glob("*.yml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            if not isinstance(item, dict) or "intent" not in item:
                continue
            lines = str(item.get("examples") or "").splitlines()
            found.setdefault(str(item["intent"]), []).extend(
                line.strip()[2:].strip() for line in lines if line.strip().startswith("- "))
    return found


@dataclass(frozen=True)
class IntentSummary:
    name: str
    repo: int
    console: int
    tests: int


class ExampleBook:
    """The console's examples, checked against the repository's."""

    def __init__(self, store: NluStore, clock: Clock, training: Path,
                 heldout: Sequence[Path] = ()) -> None:
        self.store = store
        self.clock = clock
        self.training = training
        self.heldout = list(heldout)
        self._heldout_keys: set[str] | None = None
        self._repo: tuple[float, dict[str, list[str]], dict[str, str]] | None = None

    async def examples(self, intent: str | None = None) -> list[ExampleRow]:
        """The console's examples (of one intent)."""
        return await self.store.examples(intent)

    def _load(self) -> tuple[float, dict[str, list[str]], dict[str, str]]:
        """Read again when a file changed (the files are small)."""
        stamp = max((f.stat().st_mtime for f in self.training.glob("*.yml")), default=0.0)
        if self._repo is None or self._repo[0] != stamp:
            examples = read_repo_examples(self.training)
            keys = {text_key(e): intent for intent, texts in examples.items() for e in texts}
            self._repo = (stamp, examples, keys)
        return self._repo

    def repo(self) -> dict[str, list[str]]:
        return self._load()[1]

    def intents(self) -> list[str]:
        return sorted(self.repo())

    def check_intent(self, intent: object) -> str:
        if not isinstance(intent, str) or intent not in self.repo():
            raise Invalid("Ý định này không có trong dữ liệu huấn luyện.")
        return intent

    def check_text(self, text: object) -> str:
        if not isinstance(text, str):
            raise Invalid("Câu mẫu phải là chữ.")
        cleaned = clean(text)
        if not MIN_CHARS <= len(cleaned) <= MAX_CHARS:
            raise Invalid(f"Câu mẫu dài từ {MIN_CHARS} đến {MAX_CHARS} ký tự.")
        return cleaned

    def repo_intent_of(self, text: str) -> str | None:
        return self._load()[2].get(text_key(text))

    async def summaries(self) -> list[IntentSummary]:
        console = await self.store.examples()
        return [IntentSummary(name, len(examples),
                              sum(1 for e in console if e.intent == name and not e.test),
                              sum(1 for e in console if e.intent == name and e.test))
                for name, examples in sorted(self.repo().items())]

    async def add(self, principal: Principal | None, intent: object, text: object, *,
                  test: bool = False, source: str = "console") -> int:
        require(principal, Permission.improve_nlu)
        name, cleaned = self.check_intent(intent), self.check_text(text)
        if test:
            self._not_in_repo(cleaned)
        else:
            self.trainable(cleaned)
        try:
            return await self.store.add_example(
                {"intent": name, "text": cleaned, "text_key": text_key(cleaned), "test": test,
                 "source": source, "author": principal.login if principal else cli_actor()},
                entry(principal, "nlu.example_added", name, text=cleaned, test=test),
                self.clock.now())
        except Duplicate:
            raise Invalid("Câu này đã là câu mẫu.") from None

    async def edit(self, principal: Principal | None, example_id: int, text: object,
                   test: bool) -> bool:
        require(principal, Permission.improve_nlu)
        cleaned = self.check_text(text)
        if test:
            self._not_in_repo(cleaned)
        else:
            self.trainable(cleaned)
        old = await self.store.example(example_id) if 0 < example_id < MAX_ID else None
        if old is None:
            return False
        try:
            return await self.store.change_example(
                example_id, {"text": cleaned, "text_key": text_key(cleaned), "test": test},
                entry(principal, "nlu.example_edited", old.intent, id=example_id, old=old.text,
                      text=cleaned, test=test), self.clock.now())
        except Duplicate:
            raise Invalid("Câu này đã là câu mẫu.") from None

    async def delete(self, principal: Principal | None, example_id: int) -> bool:
        require(principal, Permission.improve_nlu)
        old = await self.store.example(example_id) if 0 < example_id < MAX_ID else None
        if old is None:
            return False
        return await self.store.change_example(
            example_id, None, entry(principal, "nlu.example_deleted", old.intent,
                                    id=example_id, text=old.text), self.clock.now())

    def _not_in_repo(self, text: str) -> None:
        intent = self.repo_intent_of(text)
        if intent is not None:
            raise Invalid(f"Câu này đã có trong kho dữ liệu (ý định {intent}).")

    def held_out(self, text: str) -> bool:
        """A sentence of the held-out sets (``nlu/tests/*.tsv``): training on it would flatter
        every measurement (and ``tests/nlu/test_data.py`` refuses it in the repository)."""
        if self._heldout_keys is None:
            self._heldout_keys = {text_key(e.text) for f in self.heldout
                                  for e in load_examples(f)}
        return text_key(text) in self._heldout_keys

    def trainable(self, text: str) -> None:
        self._not_in_repo(text)
        if self.held_out(text):
            raise Invalid("Câu này nằm trong bộ câu kiểm tra (nlu/tests): chỉ dùng để đo, "
                          "không dùng để huấn luyện.")

    async def training_rows(self) -> list[ExampleRow]:
        """Console examples to train on: not held out, not already in the repository."""
        return [e for e in await self.store.examples() if not e.test
                and self.repo_intent_of(e.text) is None and not self.held_out(e.text)]

    async def test_rows(self) -> list[ExampleRow]:
        return [e for e in await self.store.examples() if e.test]


def examples_yaml(rows: Iterable[ExampleRow], note: str) -> str:
    """Rows in the format of ``nlu/training/*.yml`` (masked once more, sorted by intent)."""
    by_intent: dict[str, list[str]] = {}
    for row in rows:
        by_intent.setdefault(row.intent, []).append(clean(row.text))
    lines = [f"# {note}", 'version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in sorted(set(by_intent[intent]))]
    return "\n".join(lines) + "\n"



async def export_examples(book: ExampleBook, target: Path) -> tuple[Path, int]:
    """The console's training examples as ``target/console.yml``, for review and commit
    (test examples stay out: they are held out)."""
    rows = await book.training_rows()
    file = target / EXPORT_FILE
    text = examples_yaml(rows, "Examples added in the console (python -m bot nlu "
                               "export-examples); review before committing.")
    await asyncio.to_thread(file.write_text, text, "utf-8")
    return file, len(rows)
