"""Logging: structlog key-value events to stderr, INFO and above unless told otherwise.

Events carry ids, states and counts. Personal data (handles, names, contact text) is never
logged above DEBUG; the audit trail, not the log, is the record of who did what.
"""

from __future__ import annotations

import logging
import os
import sys

import structlog


def configure_logging(level: str | None = None) -> None:
    """Set up structlog once, at the level given or in `MODBOT_LOG_LEVEL` (default INFO)."""
    name = (level or os.environ.get("MODBOT_LOG_LEVEL") or "INFO").upper()
    numeric = logging.getLevelName(name)
    if not isinstance(numeric, int):
        numeric = logging.INFO
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
