"""The suite's today: a fixed moment, so no test depends on the day it is run.

Every test runs as if it were `MODBOT_TEST_TODAY` (an ISO time; by default Friday 20
November 2026, 09:00 UTC), the clock moving on from there in real time. Code in the test
process sees it through time-machine (tests/conftest.py starts it for the whole session);
`modbot` processes started by tests see it too, because they start through this module
(`python -m tests.timetravel bot ARGS...`) at the moment the test process is at.

`.ci/run` runs the suite again on a bank-holiday week, a year end and a leap day.
Monotonic clocks are real, so timeouts and waits behave as they would on any day.
"""

from __future__ import annotations

import os
import runpy
import sys
from datetime import UTC, datetime
from pathlib import Path

import time_machine

TODAY_ENV = "MODBOT_TEST_TODAY"
DEFAULT_TODAY = "2026-11-20T09:00:00+00:00"
ROOT = Path(__file__).resolve().parents[1]


def today() -> datetime:
    """The moment the suite starts at (aware, UTC)."""
    moment = datetime.fromisoformat(os.environ.get(TODAY_ENV) or DEFAULT_TODAY)
    if moment.tzinfo is None:
        raise SystemExit(f"{TODAY_ENV} must carry a UTC offset, e.g. 2028-02-29T10:00:00+00:00")
    return moment.astimezone(UTC)


def travel(moment: datetime | None = None) -> time_machine.travel:
    """A time-machine travel to `moment` (default: today()), with the clock ticking on."""
    return time_machine.travel(moment or today(), tick=True)


def modbot_command(*args: str) -> list[str]:
    """argv for `modbot ARGS` started at this process's (travelled) current time."""
    return [sys.executable, "-m", "tests.timetravel", "bot", *args]


def process_env(base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """The environment for a `modbot_command` process: `base`, then the clock, then `extra`.

    The child starts at the time this process sees now, so both agree on what time it is.
    """
    env = dict(base if base is not None else {"PATH": "/usr/bin:/bin"})
    env[TODAY_ENV] = datetime.now(UTC).isoformat()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def main() -> None:
    """Run the module named first on the command line at `MODBOT_TEST_TODAY`."""
    module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    with travel():
        runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
