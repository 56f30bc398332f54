"""Telegram channel: python-telegram-bot as the transport, the conversation service as the
brain. Only this package imports ``telegram``."""

from bot.channels.telegram.channel import TelegramChannel, TelegramConfig

__all__ = ["TelegramChannel", "TelegramConfig"]
