"""How `modbot serve` runs uvicorn: an access log without query strings.

Query strings can carry secrets — Meta's webhook handshake sends the verify token as
`hub.verify_token` — so the access log records each request's path only.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import uvicorn.config


class PathOnly(logging.Filter):
    """Cut the query string off the path in uvicorn's access-log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, with `?...` removed from its path argument."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, query = args[2].partition("?")[::2]
            record.args = (*args[:2], path + ("?…" if query else ""), *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """The logging set-up uvicorn ships, with `PathOnly` on the access log."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["path_only"] = {"()": f"{__name__}.PathOnly"}
    config["handlers"]["access"]["filters"] = ["path_only"]
    return config
