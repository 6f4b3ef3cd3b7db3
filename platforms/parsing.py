"""Reading what platforms send: stored cursors, and times in the platforms' formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from platforms.base import PayloadError, PlatformError


def load_cursor(cursor: str | None, connector: str) -> dict[str, Any]:
    """A stored JSON cursor as a dict (empty for none).

    Raises:
        PlatformError: the stored cursor is not one of ours; says how to reset it.
    """
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise PlatformError(
            f"the stored cursor for connector '{connector}' is unreadable; reset it with "
            f"`modbot connectors reset {connector}` to start from the platform's newest items"
        )
    return data


def dump_cursor(data: dict[str, Any]) -> str:
    """The stored form of a cursor: compact, key-sorted JSON."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def utc_from_unix(value: float | int | str) -> datetime:
    """A UTC datetime from Unix seconds."""
    return datetime.fromtimestamp(float(value), tz=UTC)


def parse_time(value: str) -> datetime:
    """An ISO-8601 time from a platform (``2021-07-23T08:35:18+0000`` or ``...Z``) in UTC."""
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]  # +0000 -> +00:00 for Python 3.11
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def as_text(value: Any) -> str:
    """A platform field as text: None (absent) becomes the empty string."""
    return "" if value is None else str(value)


def listing_page(answer: Any, platform: str, what: str) -> dict[str, Any]:
    """A page of a listing (`data` list, `meta`/`paging` object), checked for its shape.

    A proxy's maintenance page or a changed API can answer 200 with something else; read
    blindly it would look like "nothing new" and hide the fault.

    Raises:
        PayloadError: the answer is not a page of a listing; says which part is wrong.
    """
    if not isinstance(answer, dict):
        raise PayloadError(
            f"{platform} answered {type(answer).__name__} instead of a page of results "
            f"while trying to {what}; the cursor is kept and the next pass tries again"
        )
    for key, shape in (("data", list), ("meta", dict), ("paging", dict), ("includes", dict)):
        value = answer.get(key)
        if value is not None and not isinstance(value, shape):
            raise PayloadError(
                f"{platform} sent a page whose '{key}' is not a{'n' if shape is dict else ''} "
                f"{'object' if shape is dict else 'list'} while trying to {what}; the cursor "
                "is kept and the next pass tries again"
            )
    return answer
