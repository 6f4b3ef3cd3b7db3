"""Replaying recorded cassettes with vcrpy, the way tweepy's and praw's own suites do.

Requests match on method, scheme, host, port and path: the recordings were made with other
query strings (tweepy's tests asked for no `tweet_fields`), and what the SDK sent is asserted
separately from the session's own record of it. Calls the recordings lack (the look-up the
connector makes before a reply) are added as synthetic interactions, named as such.
Leaving the block without replaying anything fails the test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import vcr
import yaml

from tests.platform_server import CASSETTES

MATCH_ON = ("method", "scheme", "host", "port", "path")


def interaction(method: str, uri: str, body: Any, status: int = 200) -> dict[str, Any]:
    """A synthetic interaction (for a call no recording has)."""
    return {
        "request": {"method": method, "uri": uri, "body": None, "headers": {}},
        "response": {
            "status": {"code": status, "message": "OK" if status < 400 else "Error"},
            "headers": {"content-type": ["application/json; charset=utf-8"]},
            "body": {"string": json.dumps(body)},
        },
    }


def prepared(
    tmp_path: Path,
    platform: str,
    name: str,
    *,
    replace: dict[str, str] | None = None,
    extra: list[dict[str, Any]] | tuple[()] = (),
    only: tuple[str, ...] | None = None,
) -> Path:
    """A copy of a recorded cassette with placeholders filled in and extra interactions.

    Args:
        only: keep just the recorded interactions whose path contains one of these.
    """
    text = CASSETTES.joinpath(platform, name).read_text(encoding="utf-8")
    for key, value in (replace or {}).items():
        text = text.replace(key, value)
    is_json = name.endswith(".json")
    data = json.loads(text) if is_json else yaml.safe_load(text)
    if only is not None:
        data["interactions"] = [
            i for i in data["interactions"] if any(o in i["request"]["uri"] for o in only)
        ]
    data["interactions"].extend(extra)
    data.setdefault("version", 1)
    out = tmp_path / f"{platform}-{name.replace(' ', '_')}"
    out.write_text(json.dumps(data) if is_json else yaml.safe_dump(data), encoding="utf-8")
    return out


@contextmanager
def replay(path: Path) -> Iterator[Any]:
    """Serve `path` to every HTTP client in the block; fail if nothing was replayed."""
    tape = vcr.VCR(
        record_mode="none",
        decode_compressed_response=True,  # the v2 cassettes hold gzip bodies (G15)
        match_on=MATCH_ON,
        serializer="json" if path.suffix == ".json" else "yaml",
    )
    with tape.use_cassette(str(path), allow_playback_repeats=False) as cassette:
        yield cassette
    assert cassette.play_count > 0, f"nothing was replayed from {path.name}"


def record_requests(session: requests.Session) -> list[requests.PreparedRequest]:
    """Every request `session` sends from now on, exactly as sent (via a response hook)."""
    sent: list[requests.PreparedRequest] = []
    session.hooks["response"].append(lambda response, *a, **k: sent.append(response.request))
    return sent


def body_of(request: requests.PreparedRequest) -> str:
    body = request.body
    return body.decode() if isinstance(body, bytes) else (body or "")
