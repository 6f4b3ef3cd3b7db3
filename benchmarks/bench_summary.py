"""The weekly summary over a year of history: how long it takes to build, and peak memory.

Generates a year of moderation history with bulk core inserts (by default 1,000,000 contacts,
with their decisions, findings and actions in proportions like the demo's: about 15% acted
on, two actions each, a few reversed, some waiting for approval), then builds the summary
for the last week in a fresh process: the SQL aggregates, the chart and the rendered
email. Reports the time of each part and the process's peak memory, on SQLite and, when
MODBOT_TEST_DATABASE_URL is set, on PostgreSQL. Not part of the test suite.

    python benchmarks/bench_summary.py                     # 1,000,000 contacts
    python benchmarks/bench_summary.py --contacts 100000   # quicker
    python benchmarks/bench_summary.py --keep /tmp/year.db # keep (and reuse) the SQLite file
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

END = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)  # Monday: the year ends with week 2026-W46
START = END - timedelta(days=364)
NOW = END + timedelta(hours=8)  # the Monday 08:00 send
CHUNK = 20_000
PLATFORMS = ("facebook",) * 11 + ("x",) * 5 + ("reddit",) * 4
TEXTS = (
    "Third time asking about the black mould in the back bedroom. When is someone coming?",
    "Still no hot water at Linden Court, it's been four days now.",
    "you lot are scum, every one of you",
    "shit service as usual, nobody answers the phone about my leak",
    "Thanks to the team for fixing the fence so quickly, really appreciated.",
)
CATEGORIES = ("profanity", "abuse", "abuse", "harassment", "allegation", "threat", "discrimination")


def generate(url: str, contacts: int, seed: int = 7) -> dict[str, int]:
    """Fill an empty, migrated database with a year of history. Returns row counts."""
    import sqlalchemy as sa

    from bot.storage import models as m
    from bot.storage.session import Store

    rng = random.Random(seed)
    store = Store(url)
    engine = store.engine
    counts = dict.fromkeys(("contacts", "decisions", "findings", "actions", "tasks"), 0)
    accounts = max(10, contacts // 10)
    tenancies = max(5, accounts // 5)
    seconds = (END - START).total_seconds()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(m.TenancyRecord.__table__),
            [
                {
                    "id": n + 1,
                    "tenancy_ref": f"T-{n + 1:06d}",
                    "name": f"Tenant {n}",
                    "contact_preferences": "",
                    "vulnerability_notes": "",
                    "support_contact": "",
                    "updated_at": START,
                }
                for n in range(tenancies)
            ],
        )
        for start in range(0, accounts, CHUNK):
            conn.execute(
                sa.insert(m.Account.__table__),
                [
                    {
                        "id": n + 1,
                        "platform": PLATFORMS[n % len(PLATFORMS)],
                        "platform_user_id": f"u{n}",
                        "handle": f"user{n}",
                        "display_name": "",
                        "first_seen": START,
                        "last_seen": END,
                    }
                    for n in range(start, min(accounts, start + CHUNK))
                ],
            )
        # One case per account that is ever acted on: a tenancy for one in five.
        conn.execute(
            sa.insert(m.Case.__table__),
            [
                {
                    "id": n + 1,
                    "subject": f"account:{n + 1}",
                    "tenancy_id": (n % tenancies) + 1 if n % 5 == 0 else None,
                    "account_id": None if n % 5 == 0 else n + 1,
                    "status": "open",
                    "opened_at": START,
                }
                for n in range(accounts)
            ],
        )
    action_id = finding_id = task_id = 0
    for start in range(0, contacts, CHUNK):
        rows_c, rows_d, rows_f, rows_a, rows_t = [], [], [], [], []
        for n in range(start, min(contacts, start + CHUNK)):
            cid = n + 1
            account = rng.randrange(accounts)
            at = START + timedelta(seconds=seconds * n / contacts + rng.random())
            own = rng.random() < 0.01
            rows_c.append(
                {
                    "id": cid,
                    "connector": "local",
                    "platform": PLATFORMS[account % len(PLATFORMS)],
                    "external_id": f"b{n}",
                    "account_id": account + 1,
                    "kind": "comment",
                    "text": rng.choice(TEXTS),
                    "created_at": at,
                    "ingested_at": at,
                    "permalink": "",
                    "thread_id": "",
                    "parent_id": "",
                    "status": "own" if own else "decided",
                    "purged_at": None,
                }
            )
            if own:
                continue
            acted = rng.random() < 0.15
            reversed_at = at + timedelta(days=2) if acted and rng.random() < 0.005 else None
            rows_d.append(
                {
                    "id": cid,
                    "contact_id": cid,
                    "case_id": account + 1 if acted else None,
                    "profile": "housing-ombudsman",
                    "outcome": "hidden" if acted else "acceptable",
                    "summary": "",
                    "step": "none",
                    "identified": account % 5 == 0,
                    "incident": acted,
                    "not_fired": [],
                    "created_at": at,
                    "reversed_at": reversed_at,
                    "reversed_by": "Dawn" if reversed_at else None,
                    "reversal_reason": "complaint" if reversed_at else None,
                }
            )
            if acted:
                for category in {rng.choice(CATEGORIES) for _ in range(rng.choice((1, 1, 2)))}:
                    finding_id += 1
                    rows_f.append(
                        {
                            "id": finding_id,
                            "contact_id": cid,
                            "category": category,
                            "rule": "r",
                            "score": 0.6 + rng.random() * 0.4,
                            "spans": [],
                            "evidence": "",
                        }
                    )
                kinds = ["hide"] + (["private_warning"] if rng.random() < 0.6 else [])
                if rng.random() < 0.05:
                    kinds.append("formal_warning")
                if rng.random() < 0.03:
                    kinds.append("route_complaint")
                for kind in kinds:
                    action_id += 1
                    roll = rng.random()
                    state = (
                        "awaiting_approval"
                        if kind == "formal_warning" and at > END - timedelta(days=60) and roll < 0.3
                        else "manual_task"
                        if kind == "route_complaint" or roll < 0.02
                        else "failed"
                        if roll < 0.04
                        else "done"
                    )
                    rows_a.append(
                        {
                            "id": action_id,
                            "decision_id": cid,
                            "contact_id": cid,
                            "case_id": account + 1,
                            "kind": kind,
                            "state": state,
                            "idempotency_key": f"k{action_id}",
                            "clause_ref": "1",
                            "clause_title": "t",
                            "reason": "r",
                            "needs_approval": state == "awaiting_approval",
                            "approver_role": "manager" if state == "awaiting_approval" else None,
                            "message": "",
                            "attempts": 1,
                            "details": {},
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
                    if state == "manual_task":
                        task_id += 1
                        rows_t.append(
                            {
                                "id": task_id,
                                "action_id": action_id,
                                "contact_id": cid,
                                "kind": "route_complaint"
                                if kind == "route_complaint"
                                else "unsupported",
                                "role": "comms",
                                "instructions": "do it",
                                "link": "",
                                "state": "open" if at > END - timedelta(days=30) else "done",
                                "created_at": at,
                            }
                        )
            elif rng.random() < 0.1:
                finding_id += 1
                rows_f.append(
                    {
                        "id": finding_id,
                        "contact_id": cid,
                        "category": rng.choice(CATEGORIES),
                        "rule": "r",
                        "score": rng.random() * 0.4,
                        "spans": [],
                        "evidence": "",
                    }
                )
        with engine.begin() as conn:
            for model, rows in (
                (m.Contact, rows_c),
                (m.Decision, rows_d),
                (m.Finding, rows_f),
                (m.Action, rows_a),
                (m.ManualTask, rows_t),
            ):
                if rows:
                    conn.execute(sa.insert(model.__table__), rows)
        counts["contacts"] += len(rows_c)
        counts["decisions"] += len(rows_d)
        counts["findings"] += len(rows_f)
        counts["actions"] += len(rows_a)
        counts["tasks"] += len(rows_t)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(m.Restriction.__table__),
            [
                {
                    "id": n + 1,
                    "case_id": n * 7 % accounts + 1,
                    "kind": "communication_protocol",
                    "terms": "one method",
                    "clause_ref": "7",
                    "approved_by": "Helen",
                    "starts_at": START,
                    "review_due": NOW + timedelta(days=n % 200 - 20),
                    "ended_at": None,
                }
                for n in range(max(1, contacts // 2000))
            ],
        )
        conn.execute(
            sa.insert(m.Appeal.__table__),
            [
                {
                    "id": n + 1,
                    "case_id": n * 11 % accounts + 1,
                    "received_at": START,
                    "deadline": NOW + timedelta(days=n % 40 - 10),
                    "decider_role": "director",
                    "original_decider": "Helen",
                    "late": False,
                    "opened_by": "x",
                    "decided_at": None if n % 3 else NOW - timedelta(days=3),
                    "outcome": None if n % 3 else "upheld",
                }
                for n in range(max(1, contacts // 10000))
            ],
        )
        conn.execute(
            sa.insert(m.ConnectorCursor.__table__),
            [{"connector": "local", "cursor": "x", "updated_at": NOW, "last_success_at": NOW}],
        )
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("ANALYZE"))
        else:
            conn.execute(sa.text("ANALYZE"))
    store.dispose()
    return counts


def measure(url: str) -> dict[str, float]:
    """Build the last week's summary in this (fresh) process: figures, chart, email."""
    import yaml

    from bot.dates.weeks import Week
    from bot.settings.loading import load_config
    from bot.storage.session import Store
    from bot.summary.chart import daily_chart
    from bot.summary.figures import build_summary
    from bot.summary.render import build_message
    from bot.summary.weekly import summary_options, templates_for

    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "organisation": {"name": "Bench Housing"},
                    "database": {"url": url, "url_env": None},
                    "connectors": {"local": {"type": "local", "inbox": "i", "outbox": "o"}},
                    "summary": {"to": ["comms@bench.example"]},
                }
            )
        )
        loaded = load_config(config)
    store = Store(url)
    week = Week.last_complete(NOW, loaded.settings.schedule.zone())
    began = time.perf_counter()
    with store.session() as session:
        summary = build_summary(session, week, now=NOW, options=summary_options(loaded))
    figures = time.perf_counter()
    png = daily_chart(summary.days, summary.daily, summary.labels)
    chart = time.perf_counter()
    message = build_message(summary, png, loaded.settings, templates_for(loaded))
    size = len(message.as_bytes())
    done = time.perf_counter()
    store.dispose()
    return {
        "week": week.label,
        "seen": summary.seen.now,
        "acted": summary.acted.now,
        "figures_s": round(figures - began, 3),
        "chart_s": round(chart - figures, 3),
        "render_s": round(done - chart, 3),
        "total_s": round(done - began, 3),
        "email_kb": round(size / 1024, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_backend(backend: str, contacts: int, keep: Path | None) -> None:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from bot.storage.session import Store

    admin = name = None
    folder = None
    if backend == "sqlite":
        if keep is not None:
            path = keep
        else:
            folder = tempfile.TemporaryDirectory()
            path = Path(folder.name) / "year.db"
        url = f"sqlite:///{path}"
        fresh = not path.exists()
    else:
        base = make_url(os.environ["MODBOT_TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
        name = f"modbot_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
        fresh = True
    try:
        if fresh:
            store = Store(url)
            store.upgrade()
            store.dispose()
            began = time.perf_counter()
            counts = child("--generate", url, str(contacts))
            print(
                f"{backend}: generated {counts['contacts']:,} contacts, "
                f"{counts['decisions']:,} decisions, {counts['findings']:,} findings, "
                f"{counts['actions']:,} actions, {counts['tasks']:,} tasks in "
                f"{time.perf_counter() - began:.0f} s"
            )
        for attempt in ("cold", "warm"):
            r = child("--measure", url)
            print(
                f"  {attempt}: week {r['week']} ({r['seen']:,} seen, {r['acted']:,} acted on): "
                f"figures {r['figures_s']} s, chart {r['chart_s']} s, email {r['render_s']} s, "
                f"total {r['total_s']} s; email {r['email_kb']} KB; peak {r['peak_mb']} MB"
            )
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        if folder is not None:
            folder.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="SQLite file to keep (reused if it exists)")
    parser.add_argument("--generate", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        print(json.dumps(generate(args.generate[0], int(args.generate[1]))))
        return
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    backends = ["sqlite"]
    if os.environ.get("MODBOT_TEST_DATABASE_URL"):
        backends.append("postgresql")
    else:
        print("MODBOT_TEST_DATABASE_URL not set: PostgreSQL skipped")
    for backend in backends:
        run_backend(backend, args.contacts, args.keep)


if __name__ == "__main__":
    main()
