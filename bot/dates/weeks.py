"""ISO weeks and days in the landlord's time zone, as UTC ranges for the store's queries.

A week runs from Monday 00:00 to the next Monday 00:00 *local* time, so the week the clocks
change is 167 or 169 hours long. Bounding by local midnights puts every contact in exactly
one week and one day, as the comms team would count them from their own calendar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InputError

_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of `day` in `zone`, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Day:
    """One local calendar day and its UTC range [start, end)."""

    day: date
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Week:
    """One ISO week in one time zone."""

    year: int
    number: int
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, zone: ZoneInfo) -> Week:
        """Read "2026-W46" (or "2026W46").

        Raises:
            InputError: not an ISO week, or a week the year does not have.
        """
        match = _WEEK.fullmatch(text.strip())
        if not match:
            raise InputError(f"'{text}' is not an ISO week; write it as e.g. 2026-W46")
        year, number = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise InputError(f"{year} has no week {number}") from None
        return cls(year, number, zone)

    @classmethod
    def containing(cls, moment: datetime, zone: ZoneInfo) -> Week:
        """The week `moment` falls in, by the local calendar."""
        iso = moment.astimezone(zone).date().isocalendar()
        return cls(iso.year, iso.week, zone)

    @classmethod
    def last_complete(cls, moment: datetime, zone: ZoneInfo) -> Week:
        """The last week that had ended by `moment` (the week before the one it falls in)."""
        return cls.containing(moment, zone).previous()

    @property
    def label(self) -> str:
        """The ISO label, e.g. 2026-W46."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        """The week's first day."""
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        """The week's last day."""
        return self.monday + timedelta(days=6)

    @property
    def start(self) -> datetime:
        """Monday 00:00 local time, in UTC."""
        return local_midnight(self.monday, self.zone)

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 local time, in UTC (exclusive)."""
        return local_midnight(self.monday + timedelta(days=7), self.zone)

    @property
    def days(self) -> list[Day]:
        """The seven local days, Monday first."""
        return [
            Day(
                self.monday + timedelta(days=n),
                local_midnight(self.monday + timedelta(days=n), self.zone),
                local_midnight(self.monday + timedelta(days=n + 1), self.zone),
            )
            for n in range(7)
        ]

    def previous(self, weeks: int = 1) -> Week:
        """The week `weeks` before this one."""
        iso = (self.monday - timedelta(weeks=weeks)).isocalendar()
        return Week(iso.year, iso.week, self.zone)
