"""Scam signals in what residents write: pure, independent of the NLU, tested on its own."""

from bot.safety.pictures import PictureScam, check_picture, odd_addresses
from bot.safety.signals import ScamCheck, Signal, check

__all__ = ["PictureScam", "ScamCheck", "Signal", "check", "check_picture", "odd_addresses"]
