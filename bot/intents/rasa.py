"""The Rasa recognizer: ``POST /model/parse`` over one shared, keep-alive httpx client.

It raises :class:`RasaUnavailable` instead of guessing when Rasa cannot answer, so the
resilient wrapper (not this class) decides what a resident sees when Rasa is down.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Mapping
from typing import Any

import httpx

from bot.intents.base import IntentGuess, IntentResult
from bot.intents.cache import NluCache, cache_key
from bot.intents.lean_http import LeanTransport
from bot.metrics import NLU_SECONDS

log = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
ENTITY_TYPES = frozenset({"platform", "bank", "wallet"})
MAX_TEXT_CHARS = 500  # residents' stories are long, but not this long; bounds parse time
RANKING_LENGTH = 10


class RasaUnavailable(Exception):
    """Rasa did not give a usable answer (down, slow, refused the token, or sent garbage)."""


class _Transient(RasaUnavailable):
    """Worth one retry: a dropped keep-alive connection or a server error."""


def parse_response(payload: Mapping[str, Any]) -> IntentResult:
    """Turn a ``/model/parse`` reply into an :class:`IntentResult`.

    ``nlu_fallback`` (from a FallbackClassifier, if a server runs one) is dropped: the
    remaining real intents keep their confidences, so the engine can still offer them as a
    clarifying question. Entity values are lowercased; the first mention of a type wins.
    """
    ranking_raw = payload.get("intent_ranking") or [payload.get("intent") or {}]
    ranking: list[IntentGuess] = []
    for item in ranking_raw:
        if not isinstance(item, dict):
            continue
        name, confidence = item.get("name"), item.get("confidence")
        if not isinstance(name, str) or name == FALLBACK_INTENT:
            continue
        if isinstance(confidence, float | int):
            ranking.append(IntentGuess(name, float(confidence)))
    ranking.sort(key=lambda guess: guess.confidence, reverse=True)
    entities: dict[str, str] = {}
    found = [e for e in payload.get("entities") or [] if isinstance(e, dict)]
    for entity in sorted(found, key=lambda e: e.get("start", 0)):
        kind, value = entity.get("entity"), entity.get("value")
        if kind in ENTITY_TYPES and isinstance(value, str) and kind not in entities:
            entities[kind] = value.strip().lower().replace(" ", "_")
    return IntentResult(tuple(ranking[:RANKING_LENGTH]), entities, "rasa")


class RasaRecognizer:
    """Talks to one Rasa server. Create once, share, and ``aclose()`` at shutdown."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 1.0,
        transport: httpx.AsyncBaseTransport | None = None,
        cache_size: int = 0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cache = NluCache(cache_size)
        self.model_id: str | None = None
        self._params = {"token": token} if token else {}
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 0.5)),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            transport=transport or LeanTransport(max_connections=20, max_idle=10),
        )

    async def recognize(self, text: str) -> IntentResult:
        """Parse one message; raises :class:`RasaUnavailable` when Rasa cannot answer.

        Texts that differ only in case and spacing are one cache entry, and Rasa is sent that
        normalised form, so a cached answer is exactly the answer Rasa would give."""
        key = cache_key(unicodedata.normalize("NFC", text)[:MAX_TEXT_CHARS])
        if not key:
            return IntentResult(source="rasa")
        return await self.cache.get(key, lambda: self._parse(key))

    async def _parse(self, text: str) -> IntentResult:
        started = time.perf_counter()
        reply = await self._post_with_retry({"text": text})
        NLU_SECONDS.labels("rasa").observe(time.perf_counter() - started)
        try:
            payload = reply.json()
        except ValueError as error:
            raise RasaUnavailable("Rasa sent a reply that is not JSON") from error
        if not isinstance(payload, dict):
            raise RasaUnavailable("Rasa sent an unexpected reply")
        return parse_response(payload)

    async def _post_with_retry(self, body: dict[str, str]) -> httpx.Response:
        """POST, and once more after a dropped connection or a 5xx.

        A timeout is not retried: the resident would wait twice as long for the same answer.
        """
        try:
            return await self._post(body)
        except _Transient:
            return await self._post(body)

    async def _post(self, body: dict[str, str]) -> httpx.Response:
        try:
            reply = await self._client.post("/model/parse", json=body, params=self._params)
        except httpx.TimeoutException as error:
            raise RasaUnavailable(f"Rasa timed out ({type(error).__name__})") from error
        except httpx.TransportError as error:
            raise _Transient(f"Rasa unreachable ({type(error).__name__})") from error
        if reply.status_code in (401, 403):
            raise RasaUnavailable(f"Rasa refused the auth token (HTTP {reply.status_code})")
        if reply.status_code >= 500:
            raise _Transient(f"Rasa failed (HTTP {reply.status_code})")
        if reply.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {reply.status_code}")
        return reply

    async def healthy(self) -> bool:
        """Whether the server is up, has a model loaded and accepts our token. A different
        model than last time (retrained and loaded) empties the cache."""
        try:
            reply = await self._client.get("/status", params=self._params)
        except httpx.HTTPError:
            return False
        if reply.status_code != 200:
            return False
        try:
            status = reply.json()
        except ValueError:
            return False
        model = status.get("model_id") or status.get("model_file") if isinstance(
            status, dict) else None
        self.note_model(str(model) if model else None)
        return True

    def retarget(self, url: str) -> bool:
        """Send the next parses to another server (a model switch, see
        :mod:`bot.intents.runtime`); cached answers of the old one are dropped. Parses under
        way finish on the old server. Returns whether anything changed."""
        url = url.rstrip("/")
        if url == self.base_url:
            return False
        self.base_url = url
        self._client.base_url = httpx.URL(url)
        self.model_id = None
        self.cache.clear()
        return True

    def note_model(self, model_id: str | None) -> None:
        """Record the model Rasa serves; cached answers of another model are dropped."""
        if model_id != self.model_id:
            if self.model_id is not None:
                log.info("Rasa serves another model now (%s); NLU cache emptied", model_id)
            self.cache.clear()
            self.model_id = model_id

    async def aclose(self) -> None:
        await self._client.aclose()
