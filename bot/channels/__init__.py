"""Channels: translate a platform's data to :class:`bot.conversation.Incoming` and back."""
