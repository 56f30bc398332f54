"""Sharing guides where links cannot carry a start parameter (Zalo, printed handouts)."""

from bot.sharing.codes import ShareCode, ShareCodes

__all__ = ["ShareCode", "ShareCodes"]
