"""Zalo Official Account channel: webhook events in through the inbox, replies out through the
outbox. Holds no guide logic."""

from bot.channels.zalo.channel import ZaloChannel, ZaloConfig

__all__ = ["ZaloChannel", "ZaloConfig"]
