"""Scam signals in what residents write: pure, independent of the NLU, tested on its own."""

from bot.safety.signals import URGENT, ScamCheck, Signal, check

__all__ = ["URGENT", "ScamCheck", "Signal", "check"]
