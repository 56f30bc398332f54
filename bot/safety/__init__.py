"""Scam signals in what residents write: pure, independent of the NLU, tested on its own."""

from bot.safety.signals import ScamCheck, Signal, check

__all__ = ["ScamCheck", "Signal", "check"]
