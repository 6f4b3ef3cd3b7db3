"""Where the shipped data lives, whether installed from a wheel or run from a clone."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped(*parts: str) -> Path:
    """Return the path of a file or folder under the shipped `config/` data package.

    Args:
        parts: path components below `config/`, e.g. ``("policies", "derby-homes.yaml")``.

    Returns:
        An absolute filesystem path (the wheel installs `config/` as a plain folder).
    """
    root = Path(str(resources.files("config")))
    return root.joinpath(*parts)
