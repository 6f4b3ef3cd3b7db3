"""The `modbot` command as a user runs it: real processes, real files."""

from __future__ import annotations

import json
import sqlite3

from tests.conftest import write_config
from tests.processes import modbot


def test_help_explains_every_command(tmp_path):
    result = modbot("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("demo", "run", "scan", "classify", "eval", "db", "config", "tenancies"):
        assert command in result.stdout
    result = modbot("run", "--help", cwd=tmp_path)
    assert "--once" in result.stdout and "--config" in result.stdout


def test_demo_twice_duplicates_nothing(tmp_path):
    first = modbot("demo", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "53 new contacts stored" in first.stdout
    assert "threat escalated" in first.stdout
    assert "awaiting approval" in first.stdout
    # The story: one tenant from an initial warning to an approved restriction and an appeal.
    register = first.stdout[first.stdout.index("The register for tenancy T-10231") :]
    for entry in ("initial warning", "formal warning", "restriction", "appeal received"):
        assert entry in register, entry
    with sqlite3.connect(tmp_path / "modbot-demo" / "modbot.db") as db:
        approved_by, review_due = db.execute(
            "SELECT approved_by, review_due FROM restrictions WHERE kind != 'end_direct_contact'"
        ).fetchone()
        decider, original, deadline = db.execute(
            "SELECT decider_role, original_decider, deadline FROM appeals"
        ).fetchone()
    assert approved_by == "Helen Okoro"  # a Head of Service, as the profile requires
    assert (decider, original) == ("director", "Helen Okoro")
    assert deadline and review_due
    outbox = tmp_path / "modbot-demo" / "outbox.jsonl"
    lines = outbox.read_text().splitlines()
    assert lines and all(json.loads(line)["key"] for line in lines)
    second = modbot("demo", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "0 new contacts stored" in second.stdout
    assert "0 actions performed" in second.stdout
    assert "Nothing new in the inboxes" in second.stdout
    assert second.stdout.count("appeal received") == 1
    assert outbox.read_text().splitlines() == lines


def test_scan_highlights_and_gives_a_verdict(tmp_path):
    result = modbot("scan", "useless idiot, he'd better watch his back", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "abuse" in result.stdout and "threat" in result.stdout
    assert "Verdict at the configured thresholds: abuse, threat" in result.stdout
    clean = modbot("scan", "What the hell is happening with my mould?", cwd=tmp_path)
    assert "Verdict at the configured thresholds: acceptable" in clean.stdout
    assert "damp and mould" in clean.stdout


def test_bad_config_names_file_and_key_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("thresholds:\n  abuse: two\n")
    result = modbot("config", "check", "--config", str(bad), cwd=tmp_path)
    assert result.returncode == 2
    assert str(bad) in result.stderr and "thresholds.abuse" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_check_lists_the_values_the_policy_leaves_to_the_landlord(tmp_path):
    """Issue #13 item 12: what the policy does not state is the landlord's choice, shown."""
    config = tmp_path / "mine.yaml"
    config.write_text(
        "policy:\n  profile: housing-ombudsman\n  overrides:\n    reviews:\n"
        "      restriction_review_months: 6\n"
    )
    result = modbot("config", "check", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Unacceptable user action policy does not state" in out
    assert "appeals.decide_within_working_days = 20: the policy sets no time to decide" in out
    assert "ladder.restriction.approval = [head-of-service, director]" in out
    assert "reviews.restriction_review_months = 6: set in your config" in out
    # The shipped defaults name no single point of contact: said before anyone approves.
    assert "organisation.contact_point is incomplete" in out
    derby = tmp_path / "derby.yaml"
    derby.write_text("policy:\n  profile: derby-homes\n")
    listed = " ".join(
        modbot("config", "check", "--config", str(derby), cwd=tmp_path).stdout.split()
    )
    assert "appeals.decide_within_working_days" not in listed  # 12.2 sets it


def test_run_once_needs_an_upgraded_database_then_works(tmp_path):
    config = write_config(tmp_path)
    (tmp_path / "inbox.jsonl").write_text(
        json.dumps(
            {
                "id": "1",
                "platform": "facebook",
                "kind": "comment",
                "author": {"id": "u1", "handle": "someone"},
                "text": "shit service",
                "created_at": "2026-11-20T10:00:00Z",
            }
        )
        + "\n"
    )
    refused = modbot("run", "--once", "--config", str(config), cwd=tmp_path)
    assert refused.returncode == 2
    assert "Run `modbot db upgrade` first" in refused.stderr
    assert modbot("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0
    done = modbot("run", "--once", "--config", str(config), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "stored 1 new" in done.stdout and "hidden: 1" in done.stdout


def test_a_malformed_inbox_row_is_set_aside_and_the_rest_stored(tmp_path):
    config = write_config(tmp_path)
    assert modbot("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0
    rows = [
        {
            "id": str(n),
            "platform": "facebook",
            "kind": "comment",
            "author": {"id": f"u{n}", "handle": f"someone{n}"},
            "text": "shit service",
            "created_at": "2026-11-20T10:00:00Z",
        }
        for n in range(1, 4)
    ]
    lines = [json.dumps(rows[0]), "{oops", json.dumps(rows[1]), json.dumps(rows[2])[:-1]]
    (tmp_path / "inbox.jsonl").write_text("\n".join(lines) + "\n")
    first = modbot("run", "--once", "--config", str(config), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "stored 2 new" in first.stdout
    warned = " ".join(first.stderr.split())
    assert "set aside: local: line 2 set aside: not valid JSON" in warned
    assert "local: line 4 set aside: not valid JSON" in warned
    again = modbot("run", "--once", "--config", str(config), cwd=tmp_path)
    assert "stored 0 new" in again.stdout and "set aside" not in again.stderr
    shown = " ".join(modbot("status", "--config", str(config), cwd=tmp_path).stdout.split())
    assert "Items set aside, unread (2; newest first)" in shown
    assert "line 2" in shown and "line 4" in shown and "{oops" in shown


def test_tenancy_import_reports_bad_rows_and_imports_nothing(tmp_path):
    config = write_config(tmp_path)
    modbot("db", "upgrade", "--config", str(config), cwd=tmp_path)
    csv = tmp_path / "t.csv"
    csv.write_text("tenancy_ref,name\nT-1,Ann\n,Bob\n")
    result = modbot("tenancies", "import", str(csv), "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert "row 3: missing tenancy reference" in result.stderr
    assert "nothing was imported" in result.stderr
    csv.write_text(
        "tenancy_ref,name,vulnerability_notes,support_contact\n"
        "T-1,Ann,,\n"
        "T-2,Bob,deaf, needs BSL interpreter,Carer Jo\n"
    )
    result = modbot("tenancies", "import", str(csv), "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2 and "nothing was imported" in result.stderr
    assert "row 3: 5 fields where the header has 4" in " ".join(result.stderr.split())
    csv.write_text("tenancy_ref,name\nT-1,Ann\nT-2,Bob\n")
    result = modbot("tenancies", "import", str(csv), "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0 and "2 new" in result.stdout
    result = modbot("tenancies", "import", str(csv), "--config", str(config), cwd=tmp_path)
    assert "0 new, 2 updated" in result.stdout


def test_ids_too_large_for_the_database_are_refused_clearly(tmp_path):
    config = write_config(tmp_path)
    modbot("db", "upgrade", "--config", str(config), cwd=tmp_path)
    huge = str(2**64 + 5)
    for args in (
        ("approvals", "approve", huge, "--by", "Sunita Rao"),
        ("tasks", "done", huge, "--by", "Sunita Rao"),
        ("cases", "close", huge, "--by", "Sunita Rao", "--note", "n"),
    ):
        result = modbot(*args, "--config", str(config), cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr, args
        assert "Invalid value for 'ID'" in result.stderr
    explained = modbot("explain", huge, "--config", str(config), cwd=tmp_path)
    assert explained.returncode == 2 and "Traceback" not in explained.stderr
    assert f"there is no contact {huge}" in explained.stderr


def test_a_sqlite_path_that_cannot_be_used_is_named_without_a_traceback(tmp_path):
    (tmp_path / "taken").write_text("a file where a folder should be")
    (tmp_path / "notes.db").write_text("meeting notes, not a database\n" * 20)
    cases = {
        "taken/modbot.db": "cannot create the folder",
        "notes.db": "is not a SQLite database",
    }
    for database, message in cases.items():
        config = write_config(tmp_path, database={"url": f"sqlite:///{tmp_path / database}"})
        for command in (("db", "upgrade"), ("status",), ("run", "--once")):
            result = modbot(*command, "--config", str(config), cwd=tmp_path)
            assert result.returncode == 2, (database, command, result.stderr)
            assert message in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "notes.db").read_text().startswith("meeting notes")


def test_a_password_in_the_config_files_database_url_is_warned_about_not_shown(tmp_path):
    url = "postgresql+psycopg://modbot:Hunter2-SECRET@127.0.0.1:9/modbot"
    config = write_config(tmp_path, database={"url": url})
    result = modbot("config", "check", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warning = " ".join(result.stderr.split())
    assert "database_password_in_config" in warning and "MODBOT_DATABASE_URL" in warning
    assert "Hunter2-SECRET" not in result.stdout + result.stderr
    clean = write_config(tmp_path, database={"url": "postgresql+psycopg://modbot@db/modbot"})
    quiet = modbot("config", "check", "--config", str(clean), cwd=tmp_path)
    assert "database_password_in_config" not in quiet.stderr


def test_run_once_survives_a_reddit_429_with_retry_after_and_says_so(tmp_path):
    """Issue 14, defect 1: prawcore's Retry-After is text; the pass used to crash on it."""
    from tests.integration.conftest import SECRETS
    from tests.platform_server import FakePlatform, Reply

    server = FakePlatform().start()
    try:
        token = {"access_token": "t", "token_type": "bearer", "expires_in": 3600, "scope": "*"}
        server.route("POST", "/api/v1/access_token", token)
        limited = Reply(429, {"message": "Too Many Requests"}, {"Retry-After": "600"})
        server.route("GET", "/.*", limited)
        config = write_config(
            tmp_path,
            connectors={
                "local": {"type": "local", "inbox": str(tmp_path / "inbox.jsonl"),
                          "outbox": str(tmp_path / "outbox.jsonl")},
                "sub": {"type": "reddit", "subreddit": "brookmere", "api_base_url": server.url},
            },
        )  # fmt: skip
        row = {
            "id": "1",
            "platform": "facebook",
            "kind": "comment",
            "author": {"id": "u1", "handle": "someone"},
            "text": "shit service",
            "created_at": "2026-11-20T10:00:00Z",
        }
        (tmp_path / "inbox.jsonl").write_text(json.dumps(row) + "\n")
        assert modbot("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0
        result = modbot("run", "--once", "--config", str(config), cwd=tmp_path, env=SECRETS)
    finally:
        server.stop()
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1  # a connector failed: said, not crashed
    assert "sub: Reddit rate limit reached" in result.stderr
    assert "Too Many Requests" in result.stderr
    assert "stored 1 new" in result.stdout and "hidden: 1" in result.stdout  # the pass went on
