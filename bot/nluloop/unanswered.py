"""The inbox of what the assistant did not understand (or understood without confidence):
near-duplicates grouped, and what an editor does with a group.

Messages are stored masked by the engine (``unanswered``); a group is every unreviewed
message with the same text after folding case, diacritics, punctuation and filler words
("ạ", "ơi", "nhé"…). A group is named by its newest message's id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.accounts import Permission, Principal, require
from bot.accounts.roles import cli_actor
from bot.clock import Clock
from bot.nluloop.examples import OUT_OF_SCOPE, ExampleBook, Invalid, entry, text_key
from bot.storage.nlu import Duplicate, NluStore, UnansweredRow
from bot.text import fold_words

FILLERS = frozenset({"a", "ah", "ak", "oi", "nhe", "nha", "nhen", "ne", "da", "ha", "hi"})
SORTS = ("newest", "frequent")
REASONS = {"not_understood": "không hiểu", "clarify": "phải hỏi lại",
           "out_of_scope": "ngoài phạm vi", "inside_flow": "trong hướng dẫn",
           "step_trouble": "kẹt ở bước"}

# Adds words to a guide's keywords (a new published version); returns an error or "".
KeywordAdder = Callable[[Principal | None, str, str], Awaitable[str]]


def group_key(text: str) -> str:
    words = fold_words(text)
    return " ".join(w for w in words if w not in FILLERS) or " ".join(words)


@dataclass(frozen=True)
class Group:
    id: int  # the newest message's
    text: str  # the newest message's (masked)
    count: int
    ids: tuple[int, ...]
    first_seen: dt.datetime
    last_seen: dt.datetime
    communes: tuple[str, ...]
    reasons: tuple[str, ...]
    guess: str | None
    confidence: float | None

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "text": self.text, "count": self.count, "guess": self.guess,
                "confidence": None if self.confidence is None else round(self.confidence, 3),
                "first_seen": self.first_seen.isoformat(),
                "last_seen": self.last_seen.isoformat(), "communes": list(self.communes)}


def group_rows(rows: Sequence[UnansweredRow], sort: str = "newest") -> list[Group]:
    """Rows newest first -> groups, newest (or most frequent, then newest) first."""
    buckets: dict[str, list[UnansweredRow]] = {}
    for row in rows:
        buckets.setdefault(group_key(row.text), []).append(row)
    groups = []
    for members in buckets.values():
        newest = members[0]
        guesses = Counter(r.intent for r in members if r.intent)
        guess = guesses.most_common(1)[0][0] if guesses else None
        confidence = max((r.confidence for r in members
                          if r.intent == guess and r.confidence is not None), default=None)
        groups.append(Group(
            newest.id, newest.text, len(members), tuple(r.id for r in members),
            min(r.created_at for r in members), max(r.created_at for r in members),
            tuple(sorted({r.commune for r in members if r.commune})),
            tuple(sorted({r.reason for r in members})), guess, confidence))
    if sort == "frequent":
        groups.sort(key=lambda g: (g.count, g.last_seen, g.id), reverse=True)
    else:
        groups.sort(key=lambda g: (g.last_seen, g.id), reverse=True)
    return groups


class NotFound(LookupError):
    """No unreviewed message with that id (already dealt with, or never there)."""


class UnansweredInbox:
    def __init__(self, store: NluStore, book: ExampleBook, clock: Clock,
                 add_keyword: KeywordAdder) -> None:
        self.store = store
        self.book = book
        self.clock = clock
        self.add_keyword = add_keyword

    async def groups(self, sort: str = "newest") -> list[Group]:
        return group_rows(await self.store.unanswered(), sort if sort in SORTS else "newest")

    async def group(self, group_id: int) -> Group:
        for group in await self.groups():
            if group_id in group.ids:
                return group
        raise NotFound(group_id)

    async def assign(self, principal: Principal | None, group_id: int, intent: object) -> Group:
        """The group's text becomes a training example of ``intent`` (``out_of_scope``
        included); every message of the group is marked dealt with."""
        require(principal, Permission.improve_nlu)
        name = self.book.check_intent(intent)
        group = await self.group(group_id)
        text = self.book.check_text(group.text)
        if self.book.held_out(text):
            raise Invalid("Câu này nằm trong bộ câu kiểm tra (nlu/tests): hãy bỏ qua tin này.")
        in_repo = self.book.repo_intent_of(text)
        if in_repo not in (None, name):
            raise Invalid(f"Câu này đã là câu mẫu của ý định {in_repo} trong kho dữ liệu.")
        action = "nlu.out_of_scope" if name == OUT_OF_SCOPE else "nlu.assigned"
        audit = entry(principal, action, name, text=text, messages=len(group.ids))
        example = None if in_repo else {
            "intent": name, "text": text, "text_key": text_key(text), "test": False,
            "source": "inbox", "author": principal.login if principal else cli_actor()}
        try:
            await self.store.review(group.ids, [audit], self.clock.now(), example)
        except Duplicate:
            same = [e for e in await self.store.examples() if text_key(e.text) == text_key(text)]
            if same and same[0].intent != name:
                raise Invalid(f"Câu này đã là câu mẫu của ý định {same[0].intent}.") from None
            await self.store.review(group.ids, [audit], self.clock.now())
        return group

    async def keyword(self, principal: Principal | None, group_id: int, flow_id: str,
                      words: str | None = None) -> Group:
        """Add the group's words (or ``words``) to a guide's keywords, then mark it dealt
        with. The guide's new version is published and audited by the flows service."""
        require(principal, Permission.improve_nlu)
        group = await self.group(group_id)
        phrase = self.book.check_text(words if words and words.strip() else group.text)
        problem = await self.add_keyword(principal, flow_id, phrase)
        if problem:
            raise Invalid(problem)
        await self.store.review(group.ids, [entry(principal, "nlu.keyword_added", flow_id,
                                                  keyword=phrase, messages=len(group.ids))],
                                self.clock.now())
        return group

    async def dismiss(self, principal: Principal | None, group_id: int) -> Group:
        require(principal, Permission.improve_nlu)
        group = await self.group(group_id)
        await self.store.review(group.ids, [entry(principal, "nlu.dismissed", str(group.id),
                                                  text=group.text, messages=len(group.ids))],
                                self.clock.now())
        return group
