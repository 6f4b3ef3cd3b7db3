"""Loading the configuration: shipped defaults, the user's file, a policy profile.

Precedence, lowest first: `config/default.yaml` (shipped) < the user's file (`--config` or
`MODBOT_CONFIG`) < `policy.overrides` for the profile. Dictionaries merge key by key; lists and
scalars replace; `connectors` replaces as a whole, so configuring Facebook does not silently
keep the demo's local connector. Templates are trial-rendered here, so a typo stops the bot
at start-up.

Every problem is reported as ``key.path: message`` inside one `ConfigError` naming the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
import yaml
from pydantic import (
    ValidationError,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ConfigError
from bot.paths import shipped
from bot.settings.profile import PolicyProfile
from bot.settings.schema import BotConfig

log = structlog.get_logger(__name__)

REPLACED_WHOLE = {("connectors",)}


@dataclass(frozen=True)
class LoadedConfig:
    """A validated configuration with its resolved policy profile."""

    settings: BotConfig
    profile: PolicyProfile
    files: tuple[str, ...]
    # The latest save of thresholds and word lists from the review pages applied over the
    # file (`bot.settings_store`); None when only the file is in force.
    settings_revision: int | None = None


def load_config(path: Path | str | None = None) -> LoadedConfig:
    """Load the shipped defaults, the user's file and the policy profile, and validate all three.

    Args:
        path: the user's YAML file; None uses `$MODBOT_CONFIG` if set, else the defaults alone.

    Raises:
        ConfigError: naming the file and each ``key.path: problem``.
    """
    default_path = shipped("default.yaml")
    if path is None and os.environ.get("MODBOT_CONFIG"):
        path = os.environ["MODBOT_CONFIG"]
    merged = read_yaml(default_path)
    files = [str(default_path)]
    user: dict[str, Any] = {}
    if path is not None:
        user_path = Path(path)
        user = read_yaml(user_path)
        merged = deep_merge(merged, user)
        files.append(str(user_path))
    try:
        settings = BotConfig.model_validate(merged)
    except ValidationError as exc:
        blame = files[-1] if path is not None and _any_path_in(exc, user) else files[0]
        raise ConfigError(blame, format_validation_error(exc)) from None
    profile = load_profile(settings.policy.profile, settings.policy.overrides, files[-1])
    if profile.letters.policy_enclosed and not settings.organisation.policy_url.strip():
        raise ConfigError(
            files[-1],
            [
                f"organisation.policy_url: required by the {profile.name} profile, whose first "
                "warning letter gives the person a copy of the policy (set the address where "
                "it can be read)"
            ],
        )
    if path is not None and _has_password(user):
        log.warning(
            "database_password_in_config",
            file=str(path),
            advice="a password in database.url is readable by anyone who can read the file; "
            f"put the whole URL in the environment variable database.url_env names "
            f"({settings.database.url_env or 'e.g. MODBOT_DATABASE_URL'}) and remove it here",
        )
    from bot.decide.messages import check_templates  # local: messages needs the validated settings

    check_templates(settings, profile)
    from bot.summary.render import check_summary_templates

    check_summary_templates(settings)
    return LoadedConfig(settings=settings, profile=profile, files=tuple(files))


def _has_password(user: dict[str, Any]) -> bool:
    """Whether the user's file writes a password into `database.url`."""
    database = user.get("database")
    url = database.get("url") if isinstance(database, dict) else None
    if not isinstance(url, str):
        return False
    try:
        return bool(make_url(url).password)
    except ArgumentError:
        return False


def load_profile(name_or_path: str, overrides: dict[str, Any], config_file: str) -> PolicyProfile:
    """Load a built-in profile by name (or a profile file by path) and apply overrides.

    Raises:
        ConfigError: the profile is unknown, unreadable or invalid.
    """
    candidate = Path(name_or_path)
    if candidate.suffix in {".yaml", ".yml"}:
        profile_path = candidate
    else:
        profile_path = shipped("policies", f"{name_or_path}.yaml")
        if not profile_path.is_file():
            known = ", ".join(sorted(p.stem for p in shipped("policies").glob("*.yaml")))
            raise ConfigError(
                config_file,
                [f"policy.profile: unknown profile '{name_or_path}'; built-in profiles: {known}"],
            )
    data = deep_merge(read_yaml(profile_path), overrides)
    try:
        return PolicyProfile.model_validate(data)
    except ValidationError as exc:
        source = str(profile_path)
        problems = format_validation_error(exc)
        if overrides and _any_path_in(exc, overrides):
            source = config_file
            problems = [f"policy.overrides.{p}" for p in problems]
        raise ConfigError(source, problems) from None


def read_yaml(path: Path) -> dict[str, Any]:
    """Read one YAML mapping, turning every failure into a `ConfigError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), ["file not found"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), [f"not UTF-8 text (byte {exc.start})"]) from None
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot be read: {exc.strerror}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(str(path), [f"{where}YAML syntax error: {problem}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            str(path), [f"the top level must be a mapping, not {type(data).__name__}"]
        )
    return data


def deep_merge(
    base: dict[str, Any], override: dict[str, Any], _path: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Merge `override` into a copy of `base`: mappings key by key, everything else replaced."""
    merged = dict(base)
    for key, value in override.items():
        here = (*_path, str(key))
        if (
            here not in REPLACED_WHOLE
            and isinstance(value, dict)
            and isinstance(merged.get(key), dict)
        ):
            merged[key] = deep_merge(merged[key], value, here)
        else:
            merged[key] = value
    return merged


def flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Every leaf of a nested mapping as (dotted key path, value)."""
    leaves: list[tuple[str, Any]] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            leaves.extend(flatten(value, f"{path}."))
        else:
            leaves.append((path, value))
    return leaves


def format_validation_error(exc: ValidationError) -> list[str]:
    """Turn pydantic's errors into ``key.path: message`` lines a comms officer can act on."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = _without_union_tag([str(part) for part in error["loc"]])
        path = ".".join(loc) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against config/default.yaml)"
        elif error["type"] == "missing":
            message = "required but missing"
        elif error["type"] == "union_tag_invalid":
            message = f"unknown type; expected one of {error['ctx']['expected_tags']}"
        elif error["type"] == "enum":
            message = f"must be one of {error['ctx']['expected']}"
        problems.append(f"{path}: {message}")
    return problems


def _without_union_tag(loc: list[str]) -> list[str]:
    # pydantic puts the discriminator value ('local', 'facebook') into the location; a user
    # thinks of `connectors.page.token_env`, not `connectors.page.facebook.token_env`.
    if len(loc) >= 3 and loc[0] == "connectors":
        return loc[:2] + loc[3:]
    return loc


def _any_path_in(exc: ValidationError, data: dict[str, Any]) -> bool:
    for error in exc.errors(include_url=False):
        node: Any = data
        for part in error["loc"]:
            if (isinstance(node, dict) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and part < len(node)
            ):
                node = node[part]
            else:
                break
        else:
            return True
        if node is not data:
            return True
    return False
