"""Masking of every log record: the message with its arguments, the traceback (an exception's
text carries its arguments, such as a database error's SQL parameters) and the stack."""

from __future__ import annotations

import logging

from bot.privacy.masking import mask


def mask_log(text: str) -> str:
    return mask(text, log=True)


class MaskingFilter(logging.Filter):
    """Masks secrets in every log record, whatever logger produced it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit: logging would print them
            message = f"{record.msg} {record.args}"
            record.msg, record.args = mask_log(message), None
        masked = mask_log(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_log(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_log(record.stack_info)
        return True


def install_log_masking() -> None:
    """Put :class:`MaskingFilter` on every root handler (call after logging is configured)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
