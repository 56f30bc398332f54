"""Privacy guard: residents type ID numbers, phone numbers, OTPs, card and account numbers,
e-mail addresses and passwords.

Everything a resident writes (text and button payloads) is masked with :func:`mask` before it
is stored, relayed or given to the NLU, every log record passes :class:`MaskingFilter`
(message, arguments and traceback), and :func:`sensitive_kinds` tells the engine when to
answer first with a safety warning. What is recognised is listed in :mod:`bot.privacy.rules`
and tested against a corpus of real spellings (``tests/privacy``).
"""

from __future__ import annotations

from bot.privacy.logfilter import MaskingFilter, install_log_masking, mask_log
from bot.privacy.masking import MASKS, mask, sensitive_kinds
from bot.privacy.rules import Sensitive

__all__ = ["MASKS", "MaskingFilter", "Sensitive", "install_log_masking", "mask", "mask_log",
           "sensitive_kinds"]
