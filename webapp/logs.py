"""Structured logs: one JSON object per line, with the request id of the request it belongs to.

Never personal data: handlers log events with fixed fields (type names, route templates, counts),
the database engine hides SQL parameters, and ``tests/test_logs.py`` scans the log of a whole
journey and a database failure for every personal value of the test persons involved.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; the rest came in through ``extra`` and are the event's fields.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid is not None:
            event["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                event[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: a traceback's text can hold SQL parameters or form values.
            event["error"] = record.exc_info[0].__name__
        return json.dumps(event, ensure_ascii=False, default=str)


def configure(level: int = logging.INFO) -> None:
    """JSON lines on stderr for our logger and uvicorn's (its access log is off: we log
    requests ourselves, without query strings)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("verhuizen", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        # Uvicorn's own loggers stop here; ours still reaches the root (which has no handler in
        # the server), so a test's log capture sees its events even after a configure().
        logger.propagate = name == "verhuizen"
    logging.getLogger("uvicorn.access").disabled = True
    # The HTTP client logs every request URL at INFO; a register's URL holds a postcode, a
    # huisnummer or a BSN query. Its warnings (retries, pool trouble) are enough.
    for name in ("httpx2", "httpcore", "httpx"):
        logging.getLogger(name).setLevel(logging.WARNING)
