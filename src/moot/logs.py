"""Log output: uvicorn's text lines (the default), or one JSON object per line (``MOOT_LOG_FORMAT=json``)."""

from __future__ import annotations

import copy
import logging
from datetime import UTC, datetime
from typing import Any

import orjson

# Attributes a record may carry through ``extra=`` that the JSON lines keep (request logs set them).
EXTRA_FIELDS = ("method", "path", "status", "duration_ms", "tracking_id", "operation")


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message"}``, plus request fields and ``exception`` when present."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in EXTRA_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return orjson.dumps(entry, default=str).decode()


def uvicorn_log_config(log_format: str, level: str) -> dict[str, Any]:
    """The ``log_config`` for uvicorn: its own (text) configuration with moot's loggers added, or, for
    json, uvicorn's loggers and moot's through :class:`JsonFormatter` on stderr."""
    moot_logger = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    if log_format != "json":
        from uvicorn.config import LOGGING_CONFIG

        config = copy.deepcopy(LOGGING_CONFIG)
        config["loggers"]["moot"] = moot_logger
        return config
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    uvicorn_logger = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "moot.logs.JsonFormatter"}},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": uvicorn_logger,
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": uvicorn_logger,
            "moot": moot_logger,
        },
    }
