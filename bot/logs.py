"""Logging set-up for the server: text lines by default, ``LOG_FORMAT=json`` for one JSON object
per line (for log shippers). Either way every record passes :class:`bot.privacy.MaskingFilter`
first, and tracebacks are masked the same way before they are written."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os

from bot.privacy import install_log_masking, mask_log

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "pid"[, "worker"][, "error"]}`` per line."""

    def __init__(self, worker: str | None = None) -> None:
        super().__init__()
        self.worker = worker

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if self.worker is not None:
            entry["worker"] = self.worker
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["error"] = mask_log(record.exc_text)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(log_format: str | None = None, worker: str | None = None) -> None:
    """Configure the root logger once per process (the server's and each worker's)."""
    chosen = (log_format or os.environ.get("LOG_FORMAT") or "text").lower()
    handler = logging.StreamHandler()
    if chosen == "json":
        handler.setFormatter(JsonFormatter(worker))
    else:
        prefix = f"[worker {worker}] " if worker else ""
        handler.setFormatter(logging.Formatter(TEXT_FORMAT.replace("%(name)s", prefix +
                                                                   "%(name)s")))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry tokens
    install_log_masking()
