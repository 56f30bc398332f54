"""The scam and not-scam message sets, shared by the safety, service and Rasa tests."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def _lines(name: str) -> list[str]:
    text = (HERE / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


SCAM_MESSAGES = _lines("scam_messages.txt")
NOT_SCAM = _lines("not_scam.txt")
