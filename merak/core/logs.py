"""Structured logging: one JSON object per line, with the fields a log pipeline indexes."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from merak.core.tracing import TraceIdFilter

_RESERVED = frozenset(vars(logging.makeLogRecord({})))


class JSONFormatter(logging.Formatter):
    """Formats a record as JSON; ``extra={...}`` keys become top-level fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, separators=(",", ":"))


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Send the ``merak`` loggers to stderr in the chosen format (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(TraceIdFilter())  # trace_id and span_id inside a span
    root = logging.getLogger("merak")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
