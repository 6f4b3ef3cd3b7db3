"""Time, in one place, so tests (and replays) can control it instead of sleeping."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months, clamped to the end of shorter months."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
