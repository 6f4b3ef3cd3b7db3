"""The alias log's suspicions, subject access exports and the retention purge, on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from structlog.testing import capture_logs

from bot.domain import ActionKind, ActionState, Role
from bot.errors import InputError
from bot.identify.links import confirm_link
from bot.identify.suspicions import decide_connection
from bot.identify.tenancies import import_tenancies
from bot.ingest.contacts import store_contacts
from bot.pipeline import Pipeline
from bot.privacy.retention import purge
from bot.privacy.subject_access import export_person
from bot.register.approvals import decide_approval
from bot.register.cases import close_case
from bot.settings.loading import load_config
from bot.staff.roles import Staff
from bot.storage import models as m
from bot.storage.session import Store
from platforms.base import SetAside
from tests.conftest import write_config


class Inbox:
    """Contacts arriving pass by pass, through the real pipeline."""

    def __init__(self, tmp_path: Path, store: Store, clock, profile: str = "housing-ombudsman"):
        self.path = tmp_path / "inbox.jsonl"
        self.path.write_text("")
        self.loaded = load_config(write_config(tmp_path, policy={"profile": profile}))
        self.store, self.clock, self.count = store, clock, 0
        csv = tmp_path / "t.csv"
        csv.write_text(
            "tenancy_ref,name,social_handles,vulnerability_notes\n"
            "T-10231,Tracey Hughes,facebook:tracey,Prefers large print\n"
        )
        with store.begin() as session:
            import_tenancies(session, csv, actor="test", now=clock())

    def post(
        self,
        handle: str,
        text: str,
        *,
        uid: str | None = None,
        name: str = "",
        platform: str = "facebook",
        hours: float = 1,
    ) -> None:
        self.count += 1
        self.clock.advance(hours=hours)
        row = {
            "id": f"c{self.count}",
            "platform": platform,
            "kind": "comment",
            "author": {"id": uid or handle, "handle": handle, "name": name},
            "text": text,
            "created_at": self.clock().isoformat(),
        }
        with self.path.open("a") as f:
            f.write(json.dumps(row) + "\n")
        Pipeline(self.loaded, self.store, clock=self.clock).run_once()


def connections(store: Store) -> list[tuple[str, str, str, float]]:
    with store.session() as session:
        return [
            (c.account.handle, c.other.handle, c.reason, c.confidence)
            for c in session.scalars(
                sa.select(m.AccountConnection).order_by(m.AccountConnection.id)
            )
        ]


def test_same_display_name_across_platforms_is_suspected_not_identified(tmp_path, store, clock):
    inbox = Inbox(tmp_path, store, clock)
    inbox.post("watch1", "you lot are scum", name="Brookmere Watch", platform="x")
    inbox.post("watch2", "you lot are scum", name="Brookmere Watch", platform="reddit")
    [(first, second, reason, confidence)] = connections(store)
    assert confidence == 0.5
    assert {first, second} == {"watch1", "watch2"} and reason == "same_display_name"
    with store.session() as session:
        evidence = session.scalar(sa.select(m.AccountConnection.evidence))
        assert "Brookmere Watch" in evidence and "x" in evidence and "reddit" in evidence
        assert session.scalar(sa.select(sa.func.count()).select_from(m.AccountLink)) == 0


def test_a_new_account_soon_after_a_block_raising_the_same_issue(tmp_path, store, clock):
    inbox = Inbox(tmp_path, store, clock)
    rant = "you lot are scum and morons, the repairs to flat 9 Cedar House are a disgrace"
    for _ in range(3):  # warned twice, then a block (unidentified: platform actions only)
        inbox.post("old_account", rant, hours=30)
    with store.begin() as session:  # the policy never mentions blocking: a manager approves
        block = session.scalar(sa.select(m.Action).where(m.Action.kind == ActionKind.BLOCK))
        decide_approval(
            session,
            block.id,
            approve=True,
            staff=Staff("Sunita Rao", Role.MANAGER),
            note="third abusive comment",
            profile=inbox.loaded.profile,
            contact_point={},
            now=inbox.clock(),
        )
    Pipeline(inbox.loaded, store, clock=inbox.clock).runner.run()
    with store.session() as session:
        assert (
            session.scalar(sa.select(m.Action.state).where(m.Action.kind == ActionKind.BLOCK))
            is ActionState.DONE
        )
    inbox.post("new_account", rant + "!!", hours=24)
    reasons = {(a, b, r) for a, b, r, _ in connections(store)}
    assert ("old_account", "new_account", "new_after_block") in reasons
    with store.session() as session:
        evidence = session.scalar(
            sa.select(m.AccountConnection.evidence).where(
                m.AccountConnection.reason == "new_after_block"
            )
        )
        assert "after old_account was blocked" in evidence and "% alike" in evidence


def test_a_mentioned_tenancy_reference_makes_a_suspected_link_that_never_identifies(
    tmp_path, store, clock
):
    inbox = Inbox(tmp_path, store, clock)
    inbox.post("anon123", "you lot are scum and liars, my tenancy is T-10231 and nobody listens")
    with store.session() as session:
        link = session.scalar(sa.select(m.AccountLink))
        assert link.state is m.LinkState.SUSPECTED
        assert "mentioned tenancy reference T-10231" in link.method
        decision = session.scalar(sa.select(m.Decision))
        assert not decision.identified  # a suspicion never identifies
    with store.begin() as session, pytest.raises(InputError, match="how you know"):
        confirm_link(session, link.id, by="Priya", note="", now=clock())
    with store.begin() as session:
        confirm_link(
            session, link.id, by="Priya Shah", note="Tracey confirmed by phone", now=clock()
        )
    inbox.post("anon123", "you lot are still scum")
    with store.session() as session:
        latest = session.scalar(sa.select(m.Decision).order_by(m.Decision.id.desc()).limit(1))
        assert latest.identified


def test_a_confirmed_pseudonym_of_a_blocked_user_is_blocked_under_hanover(tmp_path, store, clock):
    """Hanover 5.6: persistent users are blocked, as are pseudonyms connected with them."""
    inbox = Inbox(tmp_path, store, clock, profile="hanover")
    inbox.post("first", "you lot are scum", name="Linden Troll", platform="facebook", hours=30)
    inbox.post("first", "you lot are scum", name="Linden Troll", platform="facebook", hours=30)
    inbox.post("second", "you are all scum", name="Linden Troll", platform="facebook")
    with store.session() as session:
        connection = session.scalar(sa.select(m.AccountConnection))
        assert (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(m.Action)
                .where(m.Action.kind == ActionKind.BLOCK)
            )
            == 1
        ), "a suspicion alone blocks nobody"
    with store.begin() as session:
        decide_connection(
            session,
            connection.id,
            confirm=True,
            by="Moira (SMT)",
            note="same photo and same flat",
            profile=inbox.loaded.profile,
            now=clock(),
        )
    Pipeline(inbox.loaded, store, clock=clock).run_once()
    with store.session() as session:
        blocks = session.execute(
            sa.select(m.Account.handle, m.Action.state)
            .join(m.Contact, m.Contact.id == m.Action.contact_id)
            .join(m.Account, m.Account.id == m.Contact.account_id)
            .where(m.Action.kind == ActionKind.BLOCK)
        ).all()
        assert sorted((h, s.value) for h, s in blocks) == [("first", "done"), ("second", "done")]


def test_subject_access_export_holds_everything_about_the_person(tmp_path, store, clock):
    inbox = Inbox(tmp_path, store, clock)
    inbox.post("tracey", "Dawn Pritchard you are a useless cow, fix my boiler")
    with store.begin() as session:
        data = export_person(session, "T-10231", by="Priya Shah", now=clock())
    assert data["tenancy"]["name"] == "Tracey Hughes"
    assert data["tenancy"]["vulnerability_notes"] == "Prefers large print"
    assert data["account_links"][0]["state"] == "verified"
    [contact] = data["contacts"]
    assert contact["text"].startswith("Dawn Pritchard")
    assert {f["category"] for f in contact["findings"]} >= {"abuse"}
    assert contact["decision"]["outcome"] == "initial warning"
    assert {a["kind"] for a in contact["actions"]} >= {"hide", "private_warning"}
    assert data["cases"] and data["audit_trail"]
    json.dumps(data)  # plain JSON
    with store.begin() as session, pytest.raises(InputError, match="no tenancy record"):
        export_person(session, "T-0", by="P", now=clock())


def test_retention_purges_text_and_aliases_and_anonymises_old_cases(tmp_path, store, clock):
    inbox = Inbox(tmp_path, store, clock)
    inbox.post("stranger", "you lot are scum", name="Stranger Danger")
    inbox.post("tracey", "Dawn Pritchard you are a useless cow")
    with store.begin() as session:
        case = session.scalar(sa.select(m.Case).where(m.Case.tenancy_id.is_not(None)))
        close_case(
            session, case_id=case.id, staff=Staff("Sunita Rao", Role.MANAGER), note="x", now=clock()
        )
    organisation = inbox.loaded.settings.organisation

    def set_aside(raw: str) -> None:
        item = SetAside("line 9", "not valid JSON", raw)
        store_contacts(store, [], organisation=organisation, now=clock, set_aside=[item])

    set_aside('{"text": "you lot are scum"')
    clock.advance(days=800)
    inbox.post("kwame", "Still waiting for the mould inspection")  # recent: kept
    set_aside('{"text": "recent"')
    with store.begin() as session:
        report = purge(
            session,
            now=clock(),
            contact_text_days=730,
            alias_log_days=365,
            profile=inbox.loaded.profile,
        )
    assert report.contact_texts == 2 and report.alias_entries == 1
    assert report.cases_anonymised == 1 and report.set_aside_items == 1
    with store.session() as session:
        assert session.scalars(sa.select(m.SetAsideItem.raw)).all() == ['{"text": "recent"']
    with store.session() as session:
        texts = dict(
            session.execute(
                sa.select(m.Account.platform_user_id, m.Contact.text).join(m.Account)
            ).all()
        )
        assert texts == {
            "stranger": "",
            "tracey": "",
            "kwame": "Still waiting for the mould inspection",
        }
        assert all(not f.evidence for f in session.scalars(sa.select(m.Finding)))
        assert session.scalar(sa.select(sa.func.count()).select_from(m.AliasLogEntry)) == 0
        anonymised = session.get(m.Case, case.id)
        assert anonymised.subject == "anonymised" and anonymised.tenancy_id is None
        # Counts survive: the decisions and warnings are still there, without the person.
        assert session.scalar(sa.select(sa.func.count()).select_from(m.Warning)) >= 1
        stranger = session.scalar(
            sa.select(m.Account).where(m.Account.platform_user_id == "stranger")
        )
        assert stranger.handle == "" and stranger.display_name == ""
        event = session.scalar(
            sa.select(m.AuditEvent).where(m.AuditEvent.event == "retention_purged")
        )
        assert event.detail["contact_texts"] == 2
        assert "scum" not in json.dumps(event.detail)
    with store.begin() as session:
        again = purge(
            session,
            now=clock(),
            contact_text_days=730,
            alias_log_days=365,
            profile=inbox.loaded.profile,
        )
    assert again.contact_texts == 0 and again.cases_anonymised == 0


def test_no_personal_data_in_logs_above_debug(tmp_path, store, clock):
    inbox = Inbox(tmp_path, store, clock)
    inbox.path.write_text('{"broken\n')
    with capture_logs() as logs:
        inbox.post("tracey", "Dawn Pritchard you are a useless cow")
    assert logs, "the broken inbox line was logged"
    for entry in logs:
        if entry["log_level"] == "debug":
            continue
        flat = json.dumps(entry, default=str)
        for secret in ("tracey", "Tracey", "Dawn Pritchard", "useless cow"):
            assert secret not in flat, entry


def test_a_postcode_or_a_name_too_many_accounts_share_suspects_nobody(tmp_path, store, clock):
    """An estate's postcode says nothing about who is who; nor does a name once it is common."""
    inbox = Inbox(tmp_path, store, clock)
    for n in range(8):
        inbox.post(f"resident{n}", "you lot are scum, fix NN16 8QP", name="John Smith")
    found = connections(store)
    assert {reason for _, _, reason, _ in found} == {"same_display_name"}
    late = {"resident6", "resident7"}
    assert not [c for c in found if late & {c[0], c[1]}], "the name was too common by then"
