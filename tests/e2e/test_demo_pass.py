"""The whole moderation pass over the shipped sample inbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.cli.demo import prepare
from bot.domain import ActionKind, ActionState, Role
from bot.errors import PermissionRefusedError
from bot.paths import shipped
from bot.pipeline import Pipeline
from bot.register.approvals import decide_approval
from bot.settings.loading import load_config
from bot.staff.roles import Staff
from bot.storage import models as m
from bot.storage.session import Store
from tests.conftest import write_config


@pytest.fixture
def demo(tmp_path: Path, store: Store, clock):
    path = write_config(tmp_path)
    path.write_text(
        path.read_text().replace(
            str(tmp_path / "inbox.jsonl"), str(shipped("samples", "inbox.jsonl"))
        )
    )
    loaded = load_config(path)
    prepare(loaded, store)
    pipeline = Pipeline(loaded, store, clock=clock)
    yield pipeline
    pipeline.close()


def actions_of(session: Session, handle: str) -> list[tuple[str, str]]:
    rows = session.execute(
        sa.select(m.Action.kind, m.Action.state)
        .join(m.Contact, m.Contact.id == m.Action.contact_id)
        .join(m.Account, m.Account.id == m.Contact.account_id)
        .where(m.Account.handle == handle)
        .order_by(m.Action.id)
    )
    return [(kind.value, state.value) for kind, state in rows]


def outbox(pipeline: Pipeline) -> list[dict]:
    path = pipeline.loaded.settings.connectors["local"].outbox
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def snapshot(store: Store, pipeline: Pipeline) -> dict[str, object]:
    with store.session() as session:
        counts = {
            model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (
                m.Contact,
                m.Finding,
                m.Decision,
                m.Action,
                m.ManualTask,
                m.Warning,
                m.AliasLogEntry,
                m.Case,
                m.AuditEvent,
                m.Account,
            )
        }
    counts["outbox"] = len(outbox(pipeline))
    return counts


def test_the_demo_pass(demo: Pipeline, store: Store):
    report = demo.run_once()
    assert report.stored == 45 and report.decided == 45
    assert report.errors == [] and report.run.failed == 0
    with store.session() as session:
        # The threat from an identified tenant: hidden at once, end of contact waits for a
        # manager, and a manager decides on the police (the bot never contacts them).
        assert actions_of(session, "raydobbs77") == [
            ("hide", "done"),
            ("restriction", "awaiting_approval"),
            ("police_referral_decision", "manual_task"),
        ]
        restriction = session.scalar(
            sa.select(m.Action).where(m.Action.kind == ActionKind.RESTRICTION)
        )
        assert restriction.approver_role == "manager"
        # Angry, persistent complaints and a victim's report are left alone.
        for handle in (
            "kwame.mensah.91",
            "aisha.bello",
            "scunny.lad",
            "fedup_in_flat9",
            "crispin_vale",
            "radiatorwoes",
            "nadia.rahman",
            "linden.dad.2020",
        ):
            assert actions_of(session, handle) == [], handle
        # Unidentified accounts: platform actions only, and their aliases are logged.
        for handle in ("brookmere_watch", "estate_ghost", "real.linden.resident"):
            kinds = {ActionKind(kind) for kind, _ in actions_of(session, handle)}
            assert kinds and all(k.is_platform_action and not k.is_formal for k in kinds)
            assert session.scalar(
                sa.select(m.AliasLogEntry).where(m.AliasLogEntry.handle == handle)
            ), handle
        assert (
            session.scalar(
                sa.select(m.AliasLogEntry).where(m.AliasLogEntry.handle == "tracey.hughes.7")
            )
            is None
        )
        # Two accounts of one tenant: one verified from the tenancy file, one confirmed by staff.
        links = session.execute(
            sa.select(m.Account.handle, m.AccountLink.state, m.TenancyRecord.tenancy_ref)
            .join(m.AccountLink, m.AccountLink.account_id == m.Account.id)
            .join(m.TenancyRecord, m.TenancyRecord.id == m.AccountLink.tenancy_id)
            .where(m.TenancyRecord.tenancy_ref == "T-10231")
        ).all()
        assert sorted((h, s.value) for h, s, _ in links) == [
            ("TraceyH_Brook", "staff_confirmed"),
            ("tracey.hughes.7", "verified"),
        ]
        # Tracey's first abuse: route her boiler complaint, hide, warn. The second arrives
        # before the warning went out, so it is recorded, not stacked.
        assert actions_of(session, "tracey.hughes.7") == [
            ("route_complaint", "manual_task"),
            ("hide", "done"),
            ("private_warning", "done"),
            ("hide", "done"),
        ]
        warning = session.scalar(sa.select(m.Warning))
        assert warning.level.value == "initial_warning"
        # A tenant with recorded adjustments: hidden, but the warning waits for a manager.
        assert actions_of(session, "gurpreet.sandhu") == [
            ("route_complaint", "manual_task"),
            ("hide", "done"),
            ("private_warning", "awaiting_approval"),
        ]
        task = session.scalar(sa.select(m.ManualTask).where(m.ManualTask.kind == "route_complaint"))
        assert "boiler" in task.instructions  # the original text goes with the task
    sent = outbox(demo)
    assert {row["action"] for row in sent} == {"hide", "private_warning", "notice"}
    assert not any(row["action"] == "restriction" for row in sent)


def test_a_second_pass_changes_nothing(demo: Pipeline, store: Store):
    demo.run_once()
    before = snapshot(store, demo)
    report = demo.run_once()
    assert report.stored == 0 and report.decided == 0 and report.run.done == 0
    assert snapshot(store, demo) == before
    # Even reading the whole inbox again (a lost cursor) stores and does nothing new.
    with store.begin() as session:
        session.execute(sa.update(m.ConnectorCursor).values(cursor=None))
    report = demo.run_once()
    assert report.fetched["local"] == 45 and report.stored == 0
    after = snapshot(store, demo)
    assert after == before


def test_approved_restriction_is_executed_and_registered(demo: Pipeline, store: Store, clock):
    demo.run_once()
    profile = demo.loaded.profile
    contact_point = demo.loaded.settings.organisation.contact_point.model_dump()
    with store.begin() as session:
        action = session.scalar(sa.select(m.Action).where(m.Action.kind == ActionKind.RESTRICTION))
        with pytest.raises(PermissionRefusedError, match="is for a manager"):
            decide_approval(
                session,
                action.id,
                approve=True,
                staff=Staff("Priya", Role.COMMS),
                note="",
                profile=profile,
                contact_point=contact_point,
                now=clock(),
            )
    with store.begin() as session:
        decide_approval(
            session,
            action.id,
            approve=True,
            staff=Staff("Sunita Rao", Role.MANAGER),
            note="Threat to staff; end contact.",
            profile=profile,
            contact_point=contact_point,
            now=clock(),
        )
    demo.run_once()
    with store.session() as session:
        action = session.get(m.Action, action.id)
        assert action.state is ActionState.DONE and action.decided_by == "Sunita Rao"
        restriction = session.scalar(sa.select(m.Restriction))
        assert restriction.kind == "end_direct_contact"
        assert restriction.review_due.year == 2027  # 12 months under this profile
    [notice] = [row for row in outbox(demo) if row["action"] == "restriction"]
    assert "We will review it by 20 November 2027" in notice["message"]
    assert "Leanne Marsh" in notice["message"]  # the single point of contact, by name
    assert "Threat to staff; end contact." not in notice["message"]  # the note stays inside


def test_escalation_follows_the_person_across_accounts(demo: Pipeline, store: Store, tmp_path):
    """Tracey was warned on Facebook; abuse from her X account is her second incident."""
    demo.run_once()
    inbox = tmp_path / "more.jsonl"
    inbox.write_text(
        json.dumps(
            {
                "id": "x-later-1",
                "platform": "x",
                "kind": "mention",
                "author": {"id": "20001", "handle": "TraceyH_Brook"},
                "text": "@BrookmereHomes Dawn Pritchard is a lying cow",
                "created_at": "2026-11-21T09:00:00Z",
            }
        )
        + "\n"
    )
    from bot.settings.secrets import read_secret
    from platforms.local.config import LocalConfig
    from platforms.local.connector import LocalConnector

    later = LocalConnector(
        "later",
        LocalConfig(
            type="local", inbox=inbox, outbox=demo.loaded.settings.connectors["local"].outbox
        ),
        secrets=read_secret,
    )
    Pipeline(demo.loaded, store, connectors={"later": later}, clock=demo.clock).run_once()
    with store.session() as session:
        assert actions_of(session, "TraceyH_Brook") == [
            ("hide", "done"),
            ("formal_warning", "awaiting_approval"),
        ]
