"""Keyword intent recognizer: the guides' own keywords, matched without diacritics.

It is the fallback when Rasa is down (and while it trains) and the recognizer the fast tests
use. A phrase matches when all its words appear in order as whole words of the message, read
both folded and with teen-code expanded by the NLU's rules ("ko dc" -> "khong duoc"), so "cai
vneid" finds the keyword "vneid" but "hi" does not match inside "chi". Scam signals
(:mod:`bot.safety`) name ``scam_report`` first, whatever the keywords say, and requests for a
person are recognised in many wordings, so the degraded mode still answers the messages that
matter most.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot import safety
from bot.flowspec.model import Flow
from bot.intents.base import IntentGuess, IntentResult
from bot.text import fold, normalize

SCAM_INTENT = "scam_report"

# Built-in behaviours that have no guide file.
BUILTIN_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "greet": ("xin chao", "chao", "alo", "hello", "hi", "chao chau", "chao em"),
    "thanks_bye": ("cam on", "cam on nhieu", "tks", "thanks", "thank you", "tam biet", "bye"),
    "help_menu": ("ban lam duoc gi", "giup duoc gi", "danh sach", "cac muc", "huong dan gi",
                  "biet lam gi", "co nhung muc nao"),
    "human_help": ("gap nguoi", "nguoi that", "nhan vien", "to cong nghe", "noi chuyen voi nguoi",
                   "can nguoi giup", "goi cho to", "gap can bo", "can bo xa", "nho nguoi",
                   "co ai giup", "ai giup", "giup toi voi", "giup voi", "giup bac voi",
                   "giup chau voi", "cuu toi", "cuu voi", "den nha", "tan tay", "truc tiep",
                   "cho gap", "lien he to", "so dien thoai cua to", "so cua to",
                   "khong muon noi chuyen voi may", "khong hieu gi het", "tong dai vien",
                   "nguoi huong dan", "can nguoi", "nho to", "to ho tro", "diem ho tro",
                   "doan thanh nien", "hen lich"),
}
_PLATFORMS = {"iphone": "iphone", "ios": "iphone", "ip": "iphone", "android": "android",
              "samsung": "android", "oppo": "android", "xiaomi": "android", "vivo": "android"}


def _contains(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


class KeywordRecognizer:
    """Scores each intent by the longest keyword phrase it finds in the message."""

    def __init__(self, flows: Iterable[Flow]) -> None:
        self.update(flows)

    def update(self, flows: Iterable[Flow]) -> None:
        """Use these guides' keywords from now on (a guide was published, e.g. with a keyword
        added from the learning loop's inbox)."""
        phrases: dict[str, set[str]] = {k: set(v) for k, v in BUILTIN_KEYWORDS.items()}
        for flow in flows:
            intent = flow.intents[0] if flow.intents else flow.id
            for keyword in flow.keywords:
                phrases.setdefault(intent, set()).update(
                    p for p in (fold(keyword), normalize(keyword)) if p)
        self._phrases = {intent: [p.split() for p in sorted(ps)] for intent, ps in phrases.items()}

    async def recognize(self, text: str) -> IntentResult:
        return self.recognize_now(text)

    def recognize_now(self, text: str) -> IntentResult:
        readings = [fold(text).split(), normalize(text).split()]
        scores: dict[str, int] = {}
        for intent, phrases in self._phrases.items():
            best = max((len(p) for p in phrases for words in readings if _contains(words, p)),
                       default=0)
            if best:
                scores[intent] = best
        platform = next((_PLATFORMS[w] for w in readings[0] if w in _PLATFORMS), None)
        entities = {"platform": platform} if platform else {}
        if safety.check(text).found and SCAM_INTENT in self._phrases:
            scores[SCAM_INTENT] = max(scores.values(), default=0) + 1  # warning signs first
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
