"""Thresholds and word lists saved from the review pages, applied over the config file.

Comms officers tune these in the browser rather than in YAML. What they save is kept in
`settings_changes`, one row per save holding only the keys that changed (who, when, before,
after). The settings in force are the config file with each saved key's latest value over
it: a key nobody has saved stays under the file's control, and a saved key wins over the
file until someone saves it again. Everything that classifies or decides builds on
`apply_saved_settings` (the CLI's store, the pipeline before each batch, the scheduler's
summary, the web app), so a save takes effect everywhere without a restart.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.errors import InputError
from bot.settings.loading import LoadedConfig, load_config
from bot.settings.schema import BotConfig
from bot.staff.roles import Staff
from bot.storage.models import SettingsChange
from bot.storage.session import Store
from filters.base import TEXT_CATEGORIES, Category

WORD_LISTS: dict[str, str] = {
    "extra_profanity": "Extra swear words to flag",
    "allowed": "Words and phrases never to flag",
    "staff_names": "Staff names to protect from abuse and harassment",
    "place_names": "Place names in your area (never flagged)",
}
MAX_WORD = 80
MAX_WORDS = 500


def threshold_key(category: Category) -> str:
    """The saved key of one category's threshold, e.g. ``thresholds.abuse``."""
    return f"thresholds.{category.value}"


def words_key(name: str) -> str:
    """The saved key of one word list, e.g. ``words.allowed``."""
    return f"words.{name}"


@dataclass(frozen=True)
class Editable:
    """The settings the review pages edit: a threshold per text category and four lists."""

    thresholds: dict[Category, float]
    words: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, settings: BotConfig) -> Editable:
        """The editable part of a configuration."""
        return cls(
            {c: settings.thresholds[c] for c in TEXT_CATEGORIES},
            {name: tuple(getattr(settings.words, name)) for name in WORD_LISTS},
        )

    def values(self) -> dict[str, Any]:
        """Every editable key with its value, as stored (JSON)."""
        flat: dict[str, Any] = {threshold_key(c): v for c, v in self.thresholds.items()}
        flat.update({words_key(n): list(v) for n, v in self.words.items()})
        return flat

    def fingerprint(self) -> str:
        """A short digest of the values: a save must carry the one its preview showed."""
        text = json.dumps(self.values(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SavedKey:
    """Who last saved one key, and when."""

    value: Any
    by: str
    at: datetime


def saved_keys(session: Session) -> tuple[dict[str, SavedKey], int | None]:
    """Each key saved in the review pages with its latest value, and the latest save's id."""
    latest: dict[str, SavedKey] = {}
    revision = None
    for row in session.scalars(sa.select(SettingsChange).order_by(SettingsChange.id)):
        revision = row.id
        for change in row.changes:
            latest[change["key"]] = SavedKey(change["after"], row.changed_by, row.changed_at)
    return latest, revision


def settings_revision(session: Session) -> int | None:
    """The id of the latest save (None if nothing was ever saved): cheap to poll."""
    return session.scalar(sa.select(sa.func.max(SettingsChange.id)))


def overlay(loaded: LoadedConfig, values: Mapping[str, Any], revision: int | None) -> LoadedConfig:
    """`loaded` with saved `values` (key to value, as stored) over its thresholds and words."""
    settings = loaded.settings
    thresholds = dict(settings.thresholds)
    words = {name: tuple(getattr(settings.words, name)) for name in WORD_LISTS}
    for key, value in values.items():
        group, _, name = key.partition(".")
        if group == "thresholds" and name in Category.__members__.values():
            thresholds[Category(name)] = float(value)
        elif group == "words" and name in WORD_LISTS:
            words[name] = tuple(str(v) for v in value)
    updated = settings.model_copy(
        update={"thresholds": thresholds, "words": settings.words.model_copy(update=words)}
    )
    return replace(loaded, settings=updated, settings_revision=revision)


def apply_saved_settings(loaded: LoadedConfig, store: Store) -> LoadedConfig:
    """The configuration in force: `loaded` with every saved key's latest value over it."""
    with store.session() as session:
        latest, revision = saved_keys(session)
    return overlay(loaded, {k: s.value for k, s in latest.items()}, revision)


def load_effective(path: Path | str | None) -> LoadedConfig:
    """Load the config file and apply what was saved in its database, if it has one yet.

    For commands that work without a database (`modbot scan`): a database that does not
    exist yet, or has no tables, has nothing saved, so the file alone is in force.
    """
    loaded = load_config(path)
    url = loaded.settings.database_url()
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:" and not Path(database).exists():
            return loaded
    store = Store(url)
    try:
        if store.current_revision() is None:
            return loaded
        store.require_current()
        return apply_saved_settings(loaded, store)
    finally:
        store.dispose()


# --- editing ------------------------------------------------------------------------------


def parse_form(form: Mapping[str, str]) -> tuple[Editable | None, dict[str, str]]:
    """Read proposed settings from the settings form; return them, or a problem per field.

    Thresholds are numbers above 0 and at most 1. Word lists have one entry per line;
    blank lines and repeats are dropped.
    """
    problems: dict[str, str] = {}
    thresholds: dict[Category, float] = {}
    for category in TEXT_CATEGORIES:
        key = threshold_key(category)
        raw = (form.get(key) or "").strip()
        try:
            value = float(raw)
        except ValueError:
            problems[key] = "Enter a number from 0.01 to 1, for example 0.6."
            continue
        if not 0.0 < value <= 1.0:
            problems[key] = "Enter a number above 0 and at most 1, for example 0.6."
            continue
        thresholds[category] = round(value, 3)
    words: dict[str, tuple[str, ...]] = {}
    for name in WORD_LISTS:
        key = words_key(name)
        entries, problem = _entries(form.get(key) or "")
        if problem:
            problems[key] = problem
        else:
            words[name] = entries
    if problems:
        return None, problems
    return Editable(thresholds, words), {}


def _entries(text: str) -> tuple[tuple[str, ...], str | None]:
    seen: set[str] = set()
    entries: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        entry = " ".join(line.split())
        if not entry:
            continue
        if len(entry) > MAX_WORD:
            return (), f"Line {number} is longer than {MAX_WORD} characters."
        if not any(ch.isalpha() for ch in entry):
            return (), f"Line {number} ('{entry}') has no letters in it."
        if any(unicodedata.category(ch).startswith("C") for ch in entry):
            return (), f"Line {number} has a control character in it."
        if entry.casefold() not in seen:
            seen.add(entry.casefold())
            entries.append(entry)
    if len(entries) > MAX_WORDS:
        return (), f"At most {MAX_WORDS} entries, one per line."
    return tuple(entries), None


def changes_between(current: Editable, proposed: Editable) -> list[dict[str, Any]]:
    """Each key whose value differs, with its value before and after."""
    before, after = current.values(), proposed.values()
    return [
        {"key": key, "before": before[key], "after": after[key]}
        for key in after
        if before[key] != after[key]
    ]


def candidate(loaded: LoadedConfig, proposed: Editable) -> LoadedConfig:
    """The configuration as it would be with `proposed` saved (for the preview).

    Building its classifier (`bot.detect.build`) raises `FilterError` if the word lists
    cannot be used.
    """
    return overlay(loaded, proposed.values(), loaded.settings_revision)


def save_settings(
    session: Session,
    *,
    in_force: LoadedConfig,
    proposed: Editable,
    previewed_revision: int | None,
    staff: Staff,
    note: str,
    now: datetime,
) -> SettingsChange:
    """Record a save: the keys that changed, who changed them, when, and why.

    `previewed_revision` is the revision the preview was made against; if someone else has
    saved since, the preview no longer shows what this save would do, so it is refused.

    Raises:
        InputError: someone saved in between, or nothing changed.
    """
    if settings_revision(session) != previewed_revision:
        raise InputError(
            "someone else saved settings after your preview; preview your changes again"
        )
    changes = changes_between(Editable.of(in_force.settings), proposed)
    if not changes:
        raise InputError("nothing changed, so nothing was saved")
    row = SettingsChange(
        changed_at=now, changed_by=staff.name, role=staff.role.value, changes=changes, note=note
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor=staff.name,
        event="settings_changed",
        subject_type="settings_change",
        subject_id=row.id,
        at=now,
        role=staff.role.value,
        keys=[c["key"] for c in changes],
    )
    return row


def history(session: Session, *, limit: int = 50) -> list[SettingsChange]:
    """The latest saves, newest first."""
    return list(
        session.scalars(sa.select(SettingsChange).order_by(SettingsChange.id.desc()).limit(limit))
    )
