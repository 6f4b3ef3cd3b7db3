"""`modbot` as a user runs it: real processes, started on the suite's today.

One way for every test to start the command, so each process sees the same fixed clock
(tests/timetravel.py) and a bare environment (no secrets or config leaking in from the
developer's shell).
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.timetravel import modbot_command, process_env


def environment(cwd: Path, env: dict[str, str] | None = None, columns: int = 160) -> dict[str, str]:
    """PATH, HOME=cwd, a terminal width, the suite's clock, then `env`."""
    return process_env(
        {"PATH": "/usr/bin:/bin", "COLUMNS": str(columns), "HOME": str(cwd)}, **(env or {})
    )


def modbot(
    *args: str,
    cwd: Path,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    columns: int = 160,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run `modbot ARGS` to the end and return what it printed."""
    return subprocess.run(
        modbot_command(*args),
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(cwd, env, columns),
        timeout=timeout,
    )


def spawn(*args: str, cwd: Path, env: dict[str, str], **popen: Any) -> subprocess.Popen:
    """Start `modbot ARGS` in the background with exactly `env` (plus the suite's clock)."""
    return subprocess.Popen(modbot_command(*args), cwd=cwd, env=process_env(env), **popen)


def wait_for(condition: Callable[[], object], what: str, timeout: float = 90) -> object:
    """Poll `condition` until it is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)  # polling for a state, not waiting for time to pass
    raise AssertionError(f"timed out waiting for {what}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
