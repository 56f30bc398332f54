"""Keyword intent recognizer: the guides' own keywords, matched without diacritics.

It is the fallback when Rasa is down and the recognizer the fast tests use. A phrase matches
when all its words appear in order as whole words of the folded message, so "cai vneid" finds
the keyword "vneid" but "hi" does not match inside "chi".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.flowspec.model import Flow
from bot.intents.base import IntentGuess, IntentResult
from bot.text import fold

# Built-in behaviours that have no guide file.
BUILTIN_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "greet": ("xin chao", "chao", "alo", "hello", "hi", "chao chau", "chao em"),
    "thanks_bye": ("cam on", "cam on nhieu", "tks", "thanks", "thank you", "tam biet", "bye"),
    "help_menu": ("ban lam duoc gi", "giup duoc gi", "danh sach", "cac muc"),
    "human_help": ("gap nguoi", "nguoi that", "nhan vien", "to cong nghe", "noi chuyen voi nguoi",
                   "can nguoi giup", "goi cho to"),
}
_PLATFORMS = {"iphone": "iphone", "ios": "iphone", "ip": "iphone", "android": "android",
              "samsung": "android", "oppo": "android", "xiaomi": "android", "vivo": "android"}


def _contains(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


class KeywordRecognizer:
    """Scores each intent by the longest keyword phrase it finds in the message."""

    def __init__(self, flows: Iterable[Flow]) -> None:
        phrases: dict[str, set[str]] = {k: set(v) for k, v in BUILTIN_KEYWORDS.items()}
        for flow in flows:
            intent = flow.intents[0] if flow.intents else flow.id
            phrases.setdefault(intent, set()).update(fold(k) for k in flow.keywords if fold(k))
        self._phrases = {intent: [p.split() for p in sorted(ps)] for intent, ps in phrases.items()}

    async def recognize(self, text: str) -> IntentResult:
        return self.recognize_now(text)

    def recognize_now(self, text: str) -> IntentResult:
        words = fold(text).split()
        scores: dict[str, int] = {}
        for intent, phrases in self._phrases.items():
            best = max((len(p) for p in phrases if _contains(words, p)), default=0)
            if best:
                scores[intent] = best
        platform = next((_PLATFORMS[w] for w in words if w in _PLATFORMS), None)
        entities = {"platform": platform} if platform else {}
        if not scores:
            return IntentResult(entities=entities, source="keywords")
        ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        top_score = ordered[0][1]
        leaders = [name for name, score in ordered if score == top_score]
        # One clear winner is confident; a tie asks the resident to choose.
        confidence = 0.9 if len(leaders) == 1 else 0.4
        ranking = [IntentGuess(name, confidence if name in leaders else 0.2)
                   for name, _ in ordered]
        return IntentResult(ranking=tuple(ranking), entities=entities, source="keywords")

    async def healthy(self) -> bool:
        return True
