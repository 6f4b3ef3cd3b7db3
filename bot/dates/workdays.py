"""Working days, as the policies count appeal deadlines: weekends and bank holidays excluded.

Bank holidays come from the well-kept `holidays` package: England and Wales share theirs;
Scotland's differ (St Andrew's Day, 2 January, the summer bank holiday in August).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

SUBDIVISION = {"england-and-wales": "ENG", "scotland": "SCT"}


@lru_cache(maxsize=8)
def _bank_holidays(calendar: str) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=SUBDIVISION[calendar])


def is_working_day(day: date, calendar: str = "england-and-wales") -> bool:
    """Monday to Friday and not a bank holiday in that part of the UK."""
    return day.weekday() < 5 and day not in _bank_holidays(calendar)


def add_working_days(start: date, days: int, calendar: str = "england-and-wales") -> date:
    """The date `days` working days after `start` (the start day itself is not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, calendar):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, calendar: str = "england-and-wales") -> int:
    """How many working days after `start`, up to and including `end`."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, calendar):
            count += 1
    return count
