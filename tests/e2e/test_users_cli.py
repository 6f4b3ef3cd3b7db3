"""`modbot users` and the saved settings from the command line, as real processes."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from bot.domain import Role
from bot.settings.loading import load_config
from bot.settings.saved import Editable, parse_form, save_settings, threshold_key, words_key
from bot.staff.roles import Staff
from bot.storage.session import Store
from tests.conftest import write_config
from tests.processes import modbot


def test_staff_accounts_from_the_command_line(tmp_path):
    config = str(write_config(tmp_path))
    assert modbot("db", "upgrade", "--config", config, cwd=tmp_path).returncode == 0
    added = modbot(
        "users", "add", "Priya Shah", "--role", "comms", "--password-stdin", "--config", config,
        cwd=tmp_path, stdin="correct horse battery\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Account created: Priya Shah (comms)." in added.stdout
    again = modbot(
        "users", "add", "priya shah", "--role", "manager", "--password-stdin", "--config", config,
        cwd=tmp_path, stdin="another long one\n",
    )  # fmt: skip
    assert again.returncode == 2 and "already an account called priya shah" in again.stderr
    weak = modbot(
        "users", "add", "Dev Patel", "--role", "director", "--password-stdin", "--config", config,
        cwd=tmp_path, stdin="short\n",
    )  # fmt: skip
    assert weak.returncode == 2 and "at least 10 characters" in weak.stderr
    bad_role = modbot("users", "add", "X Y", "--role", "boss", "--config", config, cwd=tmp_path)
    assert bad_role.returncode == 2 and "boss" in bad_role.stderr
    listed = modbot("users", "list", "--config", config, cwd=tmp_path)
    assert "Priya Shah" in listed.stdout and "active" in listed.stdout
    assert (
        modbot("users", "disable", "Priya Shah", "--config", config, cwd=tmp_path).returncode == 0
    )
    assert "disabled" in modbot("users", "list", "--config", config, cwd=tmp_path).stdout
    changed = modbot(
        "users", "password", "Priya Shah", "--password-stdin", "--config", config,
        cwd=tmp_path, stdin="a brand new password\n",
    )  # fmt: skip
    assert changed.returncode == 0
    with sqlite3.connect(tmp_path / "modbot.db") as db:
        (stored,) = db.execute("SELECT password_hash FROM staff_users").fetchone()
        events = [e for (e,) in db.execute("SELECT event FROM audit_events ORDER BY id")]
    assert stored.startswith("$argon2id$") and "brand new" not in stored
    assert events == ["staff_account_added", "staff_account_disabled", "staff_password_set"]


def test_scan_and_replay_use_the_settings_saved_in_the_review_pages(tmp_path):
    config = write_config(tmp_path)
    assert modbot("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0
    before = modbot("scan", "what a flibbertigibbet", "--config", str(config), cwd=tmp_path)
    assert "Verdict at the configured thresholds: acceptable" in before.stdout
    loaded = load_config(config)
    form = {threshold_key(c): str(v) for c, v in loaded.settings.thresholds.items()}
    form.update({words_key(n): "\n".join(v) for n, v in Editable.of(loaded.settings).words.items()})
    form[words_key("extra_profanity")] = "flibbertigibbet"
    proposed, problems = parse_form(form)
    assert not problems
    store = Store(loaded.settings.database_url())
    with store.begin() as session:
        save_settings(
            session,
            in_force=loaded,
            proposed=proposed,
            previewed_revision=None,
            staff=Staff("Priya Shah", Role.COMMS),
            note="",
            now=datetime(2026, 11, 20, tzinfo=UTC),
        )
    store.dispose()
    after = modbot("scan", "what a flibbertigibbet", "--config", str(config), cwd=tmp_path)
    assert "Verdict at the configured thresholds: profanity" in after.stdout
    replay = modbot("replay", "--current", str(config), cwd=tmp_path)
    assert replay.returncode == 0, replay.stderr
    assert "saved in the review pages apply over both files" in replay.stdout
