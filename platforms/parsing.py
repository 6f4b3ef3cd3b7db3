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
    """A UTC datetime from Unix seconds.

    Raises:
        PayloadError: not a number of seconds a real time can have; quotes the value.
    """
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise PayloadError(f"the time {_quote(value)} is not a Unix time") from None


def parse_time(value: str) -> datetime:
    """An ISO-8601 time from a platform (``2021-07-23T08:35:18+0000`` or ``...Z``) in UTC.

    Raises:
        PayloadError: not such a time; quotes the value.
    """
    try:
        text = value.strip().replace("Z", "+00:00")
        if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
            text = text[:-2] + ":" + text[-2:]  # +0000 -> +00:00 for Python 3.11
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (AttributeError, TypeError, ValueError, OverflowError):
        raise PayloadError(f"the time {_quote(value)} is not an ISO-8601 time") from None


def _quote(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


MAX_DEPTH = 32  # far deeper than any platform's delivery; deeper is an attack or a bug


def read_delivery(body: bytes) -> dict[str, Any]:
    """A webhook body (already signature-checked) as a JSON object, or why it is not one.

    Raises:
        PayloadError: not UTF-8 JSON, not an object, or nested deeper than `MAX_DEPTH`.
    """
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PayloadError("body is not JSON") from None
    except RecursionError:
        raise PayloadError(f"body is nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(data, dict):
        raise PayloadError("expected a JSON object")
    if _depth(data) > MAX_DEPTH:
        raise PayloadError(f"body is nested deeper than {MAX_DEPTH} levels")
    return data


def _depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (iteratively: no recursion to exhaust)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


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
