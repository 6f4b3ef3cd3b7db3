"""Staff working the register from the command line, against the demo's database."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.test_cli import modbot


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert modbot("demo", cwd=folder).returncode == 0
    return folder


@pytest.fixture
def demo(demo_dir, tmp_path) -> tuple[Path, Path]:
    """A private copy of the demo for one test: (folder, config)."""
    copy = tmp_path / "modbot-demo"
    shutil.copytree(demo_dir / "modbot-demo", copy)
    config = copy / "demo.yaml"
    config.write_text(config.read_text().replace(str(demo_dir / "modbot-demo"), str(copy)))
    return tmp_path, config


def test_explain_shows_clauses_approvals_and_why_nots(demo):
    folder, config = demo
    result = modbot("explain", "x:19700015", "--config", str(config), cwd=folder)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "threat escalated" in out and "needs a manager" in out
    assert "threats skip the warning ladder" in out
    assert "Aggressive or abusive behaviour" in out
    missing = modbot("explain", "999999", "--config", str(config), cwd=folder)
    assert missing.returncode == 2 and "there is no contact 999999" in missing.stderr


def test_approvals_are_listed_and_roles_are_enforced(demo):
    """Issue #13 items 6 and 7: a staff step names an existing, enabled account whose role
    the profile names for it; the audit trail records that account."""
    folder, config = demo
    common = ("--config", str(config))
    listed = modbot("approvals", "list", *common, cwd=folder)
    assert "gurpreet.sandhu" in listed.stdout and "a manager" in listed.stdout
    with sqlite3.connect(folder / "modbot-demo" / "modbot.db") as db:
        (action_id,) = db.execute(
            "SELECT id FROM actions WHERE state = 'awaiting_approval'"
        ).fetchone()
    approve = ("approvals", "approve", str(action_id))
    nobody = modbot(*approve, "--by", "Nobody Here", *common, cwd=folder)
    assert nobody.returncode == 2 and "no staff account called Nobody Here" in nobody.stderr
    claimed = modbot(*approve, "--by", "Nobody Here", "--role", "smt", *common, cwd=folder)
    assert claimed.returncode == 2 and "No such option" in claimed.stderr  # no role claims
    refused = modbot(*approve, "--by", "Priya Shah", *common, cwd=folder)
    assert refused.returncode == 2
    assert "is for a manager, a Head of Service or a Director" in refused.stderr
    assert "Priya Shah acts as a comms officer" in refused.stderr
    assert modbot("users", "disable", "Helen Okoro", *common, cwd=folder).returncode == 0
    disabled = modbot(*approve, "--by", "Helen Okoro", *common, cwd=folder)
    assert disabled.returncode == 2 and "account is disabled" in disabled.stderr
    no_reason = modbot(
        "approvals", "reject", str(action_id), "--by", "Sunita Rao", "--reason", " ",
        *common, cwd=folder,
    )  # fmt: skip
    assert no_reason.returncode == 2 and "needs a reason" in no_reason.stderr
    approved = modbot(
        *approve, "--by", "sunita  RAO", "--note", "Support worker agrees a gentle warning helps",
        *common, cwd=folder,
    )  # fmt: skip
    assert approved.returncode == 0, approved.stderr
    ran = modbot("run", "--once", *common, cwd=folder)
    assert ran.returncode == 0, ran.stderr
    with sqlite3.connect(folder / "modbot-demo" / "modbot.db") as db:
        state, by = db.execute(
            "SELECT state, decided_by FROM actions WHERE id = ?", (action_id,)
        ).fetchone()
        (account,) = db.execute("SELECT id FROM staff_users WHERE name = 'Sunita Rao'").fetchone()
        (detail,) = db.execute(
            "SELECT detail FROM audit_events WHERE event = 'approved' AND subject_id = ?",
            (action_id,),
        ).fetchone()
    assert (state, by) == ("done", "Sunita Rao")  # the account's name, not as typed
    assert json.loads(detail)["staff_account"] == account


def test_reviews_and_appeals_due(demo):
    folder, config = demo
    reviews = modbot("reviews", "due", "--within", "400", "--config", str(config), cwd=folder)
    assert reviews.returncode == 0 and "Helen Okoro" in reviews.stdout
    appeals = modbot("appeals", "due", "--within", "60", "--config", str(config), cwd=folder)
    assert appeals.returncode == 0 and "director" in appeals.stdout
    bad_date = modbot(
        "appeals",
        "open",
        "1",
        "--received",
        "yesterday",
        "--by",
        "Priya Shah",
        "--config",
        str(config),
        cwd=folder,
    )
    assert bad_date.returncode == 2 and "write it as YYYY-MM-DD" in bad_date.stderr


def test_tasks_are_listed_for_staff(demo):
    folder, config = demo
    result = modbot("tasks", "list", "--role", "comms", "--config", str(config), cwd=folder)
    assert result.returncode == 0
    assert "Route this to the right queue" in result.stdout
    assert "boiler" in result.stdout  # the original text travels with the task


def test_closing_a_task_or_reversing_needs_a_role_the_policy_allows(demo):
    folder, config = demo
    common = ("--config", str(config))
    added = modbot(
        "users", "add", "Ava Admin", "--role", "admin", "--password-stdin", *common,
        cwd=folder, stdin="a long enough password\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    refused = modbot("tasks", "done", "1", "--by", "Ava Admin", *common, cwd=folder)
    assert refused.returncode == 2 and "the role admin is not one of" in refused.stderr
    closed = modbot(
        "tasks", "not-needed", "1", "--by", "Priya Shah",
        "--note", "Already with repairs", *common, cwd=folder,
    )  # fmt: skip
    assert closed.returncode == 0 and "marked not needed" in closed.stdout, closed.stderr
    with sqlite3.connect(folder / "modbot-demo" / "modbot.db") as db:
        (contact,) = db.execute(
            "SELECT d.contact_id FROM decisions d JOIN actions a ON a.decision_id = d.id"
            " WHERE a.kind = 'hide' AND a.state = 'done' ORDER BY d.id LIMIT 1"
        ).fetchone()
    reason = ("--reason", "she was quoting what was said to her")
    no_role = modbot("reverse", str(contact), "--by", "Ava Admin", *reason, *common, cwd=folder)
    assert no_role.returncode == 2 and "reversing a decision is for" in no_role.stderr
    reversed_ = modbot("reverse", str(contact), "--by", "Priya Shah", *reason, *common, cwd=folder)
    assert reversed_.returncode == 0 and "Decision reversed" in reversed_.stdout, reversed_.stderr
    with sqlite3.connect(folder / "modbot-demo" / "modbot.db") as db:
        task_state = db.execute("SELECT state, closed_by FROM manual_tasks WHERE id = 1").fetchone()
        reversed_by = db.execute(
            "SELECT reversed_by FROM decisions WHERE contact_id = ?", (contact,)
        ).fetchone()
    assert task_state == ("not_needed", "Priya Shah") and reversed_by == ("Priya Shah",)


def test_replay_compares_configs_and_touches_nothing(demo):
    folder, config = demo
    database = folder / "modbot-demo" / "modbot.db"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    strict = folder / "strict.yaml"
    strict.write_text(
        config.read_text().replace("staff_names:", "extra_profanity: [bloody]\n  staff_names:")
    )
    result = modbot(
        "replay", "--since", "3650d", "--config", str(strict), "--current", str(config), cwd=folder
    )
    assert result.returncode == 0, result.stderr
    assert "Replay of 53 contacts" in result.stdout
    assert "acceptable → hidden" in result.stdout  # "bloody hell, another missed appointment"
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    bad = modbot("replay", "--since", "lots", "--current", str(config), cwd=folder)
    assert bad.returncode == 2 and "write e.g. 90d" in bad.stderr
