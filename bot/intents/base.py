"""What every intent recognizer returns, and the protocol it implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class IntentGuess:
    name: str
    confidence: float


@dataclass(frozen=True)
class IntentResult:
    """The recognizer's view of one message.

    ``ranking`` is best first and includes the top intent. ``entities`` maps an entity type
    (``platform``, ``bank``, ``wallet``) to its normalised value (``iphone``, ``agribank``).
    """

    ranking: tuple[IntentGuess, ...] = ()
    entities: dict[str, str] = field(default_factory=dict)
    source: str = "none"

    @property
    def top(self) -> IntentGuess | None:
        return self.ranking[0] if self.ranking else None


class IntentRecognizer(Protocol):
    """Anything that can name the intent of a resident's message."""

    async def recognize(self, text: str) -> IntentResult: ...

    async def healthy(self) -> bool:
        """Whether the recognizer answers as designed (not degraded)."""
        ...
