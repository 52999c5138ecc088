"""Log lines as text, or as one JSON object a line for log collectors (``BERITA_LOG_FORMAT=json``)."""

from __future__ import annotations

import json
import logging
import sys


class JsonFormatter(logging.Formatter):
    """Time, level, logger, message, and the request id where there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            line["request_id"] = request_id
        return json.dumps(line, ensure_ascii=False)


def setup(json_lines: bool = False) -> None:
    """Progress and warnings go to stderr (ours from INFO, other libraries' from WARNING); results go to stdout."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter("%(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    logging.getLogger("berita").setLevel(logging.INFO)
