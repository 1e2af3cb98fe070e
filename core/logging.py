"""JSON log lines: one object per line, each with the id of the request or job it was written in."""

import json
import logging
from datetime import UTC, datetime

from core.audit_context import current_audit_context


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # The request log middleware and the job wrapper set this id for everything that runs inside them, so any
        # line (a warning deep in a service, a library's error) can be matched with its request or job.
        request_id = current_audit_context().request_id
        if request_id:
            line["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
