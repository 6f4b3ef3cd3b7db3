"""Thresholds and word lists saved from the review pages, on SQLite and PostgreSQL: what is
kept, how it lays over the config file, and that every pipeline takes it up at once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bot.domain import Role
from bot.errors import InputError
from bot.pipeline import Pipeline
from bot.settings.loading import load_config
from bot.settings.saved import (
    Editable,
    apply_saved_settings,
    load_effective,
    parse_form,
    save_settings,
    settings_revision,
    threshold_key,
    words_key,
)
from bot.staff.roles import Staff
from bot.storage import models as m
from filters.base import Category
from tests.conftest import write_config

PRIYA = Staff("Priya Shah", Role.COMMS)
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NONSENSE = "flibbertigibbet"


def form_for(editable: Editable, **changes: str) -> dict[str, str]:
    form = {threshold_key(c): str(v) for c, v in editable.thresholds.items()}
    form.update({words_key(n): "\n".join(v) for n, v in editable.words.items()})
    form.update({k.replace("__", "."): v for k, v in changes.items()})
    return form


def save(store, loaded, **changes: str) -> m.SettingsChange:
    in_force = apply_saved_settings(loaded, store)
    proposed, problems = parse_form(form_for(Editable.of(in_force.settings), **changes))
    assert not problems, problems
    with store.begin() as session:
        return save_settings(
            session,
            in_force=in_force,
            proposed=proposed,
            previewed_revision=in_force.settings_revision,
            staff=PRIYA,
            note="tuning",
            now=NOW,
        )


def test_saved_keys_lay_over_the_file_and_unsaved_keys_follow_it(tmp_path, store):
    loaded = load_config(write_config(tmp_path))
    assert apply_saved_settings(loaded, store).settings_revision is None
    first = save(store, loaded, thresholds__abuse="0.75")
    second = save(store, loaded, words__allowed="Cockermouth Road\nPenistone")
    assert first.changes == [{"key": "thresholds.abuse", "before": 0.84, "after": 0.75}]
    assert second.changes[0]["key"] == "words.allowed"
    in_force = apply_saved_settings(loaded, store)
    assert in_force.settings_revision == second.id
    assert in_force.settings.thresholds[Category.ABUSE] == 0.75
    assert in_force.settings.words.allowed == ("Cockermouth Road", "Penistone")
    # The file changes a key nobody saved: the file still governs it.
    edited = load_config(write_config(tmp_path, thresholds={"profanity": 0.55}))
    again = apply_saved_settings(edited, store)
    assert again.settings.thresholds[Category.PROFANITY] == 0.55
    assert again.settings.thresholds[Category.ABUSE] == 0.75
    with store.session() as session:
        audit = session.scalars(
            sa.select(m.AuditEvent).where(m.AuditEvent.event == "settings_changed")
        ).all()
    assert [(a.actor, a.detail["keys"]) for a in audit] == [
        ("Priya Shah", ["thresholds.abuse"]),
        ("Priya Shah", ["words.allowed"]),
    ]


def test_a_save_is_refused_if_someone_saved_after_the_preview_or_nothing_changed(tmp_path, store):
    loaded = load_config(write_config(tmp_path))
    stale = apply_saved_settings(loaded, store)
    save(store, loaded, thresholds__threat="0.5")
    proposed, _ = parse_form(form_for(Editable.of(stale.settings), thresholds__abuse="0.9"))
    with store.begin() as session, pytest.raises(InputError, match="after your preview"):
        save_settings(
            session,
            in_force=stale,
            proposed=proposed,
            previewed_revision=stale.settings_revision,
            staff=PRIYA,
            note="",
            now=NOW,
        )
    fresh = apply_saved_settings(loaded, store)
    with store.begin() as session, pytest.raises(InputError, match="nothing changed"):
        save_settings(
            session,
            in_force=fresh,
            proposed=Editable.of(fresh.settings),
            previewed_revision=fresh.settings_revision,
            staff=PRIYA,
            note="",
            now=NOW,
        )
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(m.SettingsChange)) == 1


def test_a_running_pipeline_takes_up_a_save_before_its_next_batch(tmp_path, store, clock):
    inbox = tmp_path / "inbox.jsonl"
    loaded = load_config(write_config(tmp_path))
    pipeline = Pipeline(loaded, store, clock=clock)

    def post(n: int) -> None:
        row = {
            "id": f"c{n}",
            "platform": "facebook",
            "kind": "comment",
            "author": {"id": f"u{n}", "handle": f"person{n}"},
            "text": f"What a {NONSENSE} this repair service is",
            "created_at": clock().isoformat(),
        }
        with inbox.open("a") as f:
            f.write(json.dumps(row) + "\n")

    store.upgrade()
    post(1)
    pipeline.run_once()
    save(store, loaded, words__extra_profanity=NONSENSE)
    post(2)
    pipeline.run_once()  # the same pipeline object: no restart
    pipeline.close()
    with store.session() as session:
        found = dict(
            session.execute(
                sa.select(m.Contact.external_id, sa.func.count(m.Finding.id))
                .outerjoin(m.Finding, m.Finding.contact_id == m.Contact.id)
                .group_by(m.Contact.external_id)
            ).all()
        )
        assert settings_revision(session) is not None
    assert found == {"c1": 0, "c2": 1}  # the new swear word


def test_the_settings_form_is_validated_field_by_field(loaded):
    form = form_for(
        Editable.of(loaded.settings),
        thresholds__abuse="1.5",
        thresholds__threat="high",
        words__allowed="ok\n" + "x" * 81,
        words__staff_names="Dawn Pritchard\n1234",
    )
    proposed, problems = parse_form(form)
    assert proposed is None
    assert problems["thresholds.abuse"].startswith("Enter a number above 0 and at most 1")
    assert problems["thresholds.threat"].startswith("Enter a number")
    assert "Line 2 is longer than 80 characters" in problems["words.allowed"]
    assert "has no letters" in problems["words.staff_names"]
    tidy, problems = parse_form(
        form_for(Editable.of(loaded.settings), words__allowed="  Penistone \n\npenistone\nLeek")
    )
    assert not problems and tidy.words["allowed"] == ("Penistone", "Leek")


def test_scan_without_a_database_uses_the_file_and_creates_none(tmp_path):
    path = write_config(tmp_path)
    loaded = load_effective(path)
    assert loaded.settings_revision is None
    assert not (tmp_path / "modbot.db").exists()
