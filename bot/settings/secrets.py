"""Secrets: read only from the environment (or a file an environment variable names).

Secrets never live in YAML or the database, and never reach a log or an error message: the
config names the variable, this reads it, and the value travels as a `SecretStr`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import SecretStr

from bot.errors import ConfigError


def read_secret(name: str, *, required: bool = True) -> SecretStr | None:
    """Read a secret from the environment variable `name`, or from the file `$NAME_FILE`.

    Args:
        name: the environment variable the config names.
        required: raise if it is missing (otherwise return None).

    Raises:
        ConfigError: the variable is required but neither it nor `NAME_FILE` is set.
    """
    if value := os.environ.get(name):
        return SecretStr(value)
    if file_name := os.environ.get(f"{name}_FILE"):
        try:
            return SecretStr(Path(file_name).read_text(encoding="utf-8").strip())
        except OSError as exc:
            raise ConfigError(
                f"environment variable {name}_FILE",
                [f"cannot read the secret file it names ({exc.strerror})"],
            ) from None
    if required:
        raise ConfigError(
            "environment",
            [f"{name}: this secret is not set; export {name}=... or point {name}_FILE at a file"],
        )
    return None


def missing_secrets(names: Iterable[str]) -> list[str]:
    """Which of these environment variables (or their ``_FILE`` forms) are not set or unreadable."""
    missing = []
    for name in names:
        try:
            if read_secret(name, required=False) is None:
                missing.append(name)
        except ConfigError:
            missing.append(name)
    return missing
