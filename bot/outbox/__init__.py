"""Durable background messaging: the outbox (anything sent outside a request, on any channel)
and the inbox (platform events stored before they are acknowledged, processed after)."""

from bot.outbox.inbox import Inbox, InboxHandler
from bot.outbox.outbox import (
    Backoff,
    Delivered,
    Failed,
    Hold,
    Outbox,
    Outcome,
    Progress,
    Retry,
    Sender,
    Unreachable,
)
from bot.outbox.replies import replies_body, replies_from_body

__all__ = [
    "Backoff",
    "Delivered",
    "Failed",
    "Hold",
    "Inbox",
    "InboxHandler",
    "Outbox",
    "Outcome",
    "Progress",
    "Retry",
    "Sender",
    "Unreachable",
    "replies_body",
    "replies_from_body",
]
