"""`modbot demo`: whole moderation passes on shipped sample data, shown as a table.

It writes an ordinary config file into the demo folder (so the user can see one, and re-run
any command against it with `--config modbot-demo/demo.yaml`), then does exactly what a
landlord's deployment does: migrate, import tenancies, record staff-confirmed links, add the
story's staff accounts, run a pass. Then it plays out a short story
(`config/samples/story.yaml`): two more weeks of contacts, with a manager and a Head of
Service acting between passes through their staff accounts, so one tenant can be followed
from an initial warning to an approved restriction and an appeal with its working-day
deadline, and every letter she was sent is shown as sent. Every step checks the state
first, so running the demo again stores nothing new, performs nothing new, and shows the
same tables.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from rich.console import Console
from rich.panel import Panel
from sqlalchemy.orm import Session

from bot.cli.views import action_counts, pass_table, register_table
from bot.dates.clock import system_clock
from bot.domain import ActionKind, ActionState, Role
from bot.identify.links import add_link
from bot.identify.tenancies import import_tenancies
from bot.paths import shipped
from bot.pipeline import Pipeline
from bot.register.appeals import open_appeal
from bot.register.approvals import decide_approval
from bot.register.assessments import conclude_assessment
from bot.register.tasks import close_task
from bot.settings.loading import LoadedConfig, load_config, read_yaml
from bot.staff.accounts import acting_staff, add_user, find_user
from bot.staff.roles import Staff
from bot.storage import models as m
from bot.storage.models import LinkState
from bot.storage.session import Store

STORY_TENANCY = "T-10231"


def write_demo_config(directory: Path) -> Path:
    """Write the demo's config into `directory` with absolute paths, and return its path."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    config = read_yaml(shipped("samples", "demo.yaml"))
    story = read_yaml(shipped("samples", "story.yaml"))
    config["database"] = {"url": f"sqlite:///{directory / 'modbot.db'}", "url_env": None}
    config["connectors"] = {
        stage["name"]: {
            "type": "local",
            "inbox": str(shipped("samples", stage["inbox"])),
            "outbox": str(directory / "outbox.jsonl"),
        }
        for stage in story["passes"]
    }
    path = directory / "demo.yaml"
    header = "# Written by `modbot demo`. Try: modbot explain --config {path} 15\n"
    path.write_text(
        header.format(path=path) + yaml.safe_dump(config, sort_keys=False), encoding="utf-8"
    )
    return path


def prepare(loaded: LoadedConfig, store: Store, staff: dict[str, Any] | None = None) -> None:
    """Migrate, import the sample tenancies and links, and add the story's staff accounts.

    The accounts get random passwords nobody sees: `modbot users password NAME` sets one.
    """
    store.upgrade()
    now = system_clock()
    links = yaml.safe_load(shipped("samples", "staff-links.yaml").read_text(encoding="utf-8"))
    with store.begin() as session:
        for person in (staff or {}).values():
            if find_user(session, person["name"]) is None:
                add_user(
                    session,
                    name=person["name"],
                    role=Role(person["role"]),
                    password=secrets.token_urlsafe(24),
                    by="demo",
                    now=now,
                )
        import_tenancies(session, shipped("samples", "tenancies.csv"), actor="demo", now=now)
        for link in links:
            add_link(
                session,
                platform=link["platform"],
                platform_user_id=str(link["platform_user_id"]),
                handle=link["handle"],
                tenancy_ref=link["tenancy_ref"],
                state=LinkState.STAFF_CONFIRMED,
                made_by=link["made_by"],
                note=link["note"],
                now=now,
            )


class Story:
    """The staff steps between the demo's passes; each acts only on what is waiting."""

    def __init__(self, loaded: LoadedConfig, store: Store, staff: dict[str, Any]) -> None:
        self.loaded = loaded
        self.store = store
        self.names = {key: person["name"] for key, person in staff.items()}
        self.events: list[str] = []

    def after(self, stage: int) -> None:
        """What staff do once pass `stage` (0, 1, 2) has run."""
        with self.store.begin() as session:
            manager = acting_staff(session, self.names["manager"])
            head = acting_staff(session, self.names["head_of_service"])
            if stage == 0:
                self._approve(
                    session,
                    "raydobbs77",
                    ActionKind.RESTRICTION,
                    manager,
                    "Threat to a member of staff: end direct contact.",
                )
                self._close_police_task(session, manager)
            elif stage == 1:
                self._approve(
                    session,
                    "tracey.hughes.7",
                    ActionKind.FORMAL_WARNING,
                    manager,
                    "Abuse continued after the initial warning.",
                )
            elif stage == 2:
                self._conclude_assessment(session, manager)
                self._approve(
                    session,
                    "tracey.hughes.7",
                    ActionKind.RESTRICTION,
                    head,
                    "Assessment found the behaviour unacceptable; protocol agreed.",
                )

    def finish(self) -> None:
        """Once the restriction is in force, the tenant appeals."""
        with self.store.begin() as session:
            self._appeal(session)

    def _waiting(self, session: Session, handle: str, kind: ActionKind) -> m.Action | None:
        return session.scalar(
            sa.select(m.Action)
            .join(m.Contact, m.Contact.id == m.Action.contact_id)
            .join(m.Account, m.Account.id == m.Contact.account_id)
            .where(
                m.Account.handle == handle,
                m.Action.kind == kind,
                m.Action.state == ActionState.AWAITING_APPROVAL,
            )
            .order_by(m.Action.id)
            .limit(1)
        )

    def _approve(
        self, session: Session, handle: str, kind: ActionKind, staff: Staff, note: str
    ) -> None:
        action = self._waiting(session, handle, kind)
        if action is None:
            return
        decide_approval(
            session,
            action.id,
            approve=True,
            staff=staff,
            note=note,
            profile=self.loaded.profile,
            contact_point=self.loaded.settings.organisation.contact_point.model_dump(),
            now=system_clock(),
        )
        self.events.append(
            f"{staff.name} ({staff.role.value}) approved the {kind.value.replace('_', ' ')} "
            f"for {handle}."
        )

    def _close_police_task(self, session: Session, manager: Staff) -> None:
        task = session.scalar(
            sa.select(m.ManualTask).where(
                m.ManualTask.kind == "police_referral_decision", m.ManualTask.state == "open"
            )
        )
        if task is None:
            return
        close_task(
            session,
            task.id,
            done=True,
            staff=manager,
            note="Reported to the police by phone; reference NP-26-114 (a human decision).",
            profile=self.loaded.profile,
            now=system_clock(),
        )
        self.events.append(f"{manager.name} decided the police referral and recorded it.")

    def _conclude_assessment(self, session: Session, manager: Staff) -> None:
        task = session.scalar(
            sa.select(m.ManualTask).where(
                m.ManualTask.kind == "assessment", m.ManualTask.state == "open"
            )
        )
        if task is None:
            return
        conclude_assessment(
            session,
            task_id=task.id,
            unacceptable=True,
            protocol=(),
            staff=manager,
            note="Three incidents of abuse aimed at a named officer in two weeks, after a "
            "formal warning; no adjustments recorded.",
            profile=self.loaded.profile,
            now=system_clock(),
        )
        self.events.append(
            f"{manager.name} completed the assessment: unacceptable; a communication "
            "protocol goes to a Head of Service."
        )

    def _appeal(self, session: Session) -> None:
        case = session.scalar(
            sa.select(m.Case)
            .join(m.TenancyRecord, m.TenancyRecord.id == m.Case.tenancy_id)
            .where(m.TenancyRecord.tenancy_ref == STORY_TENANCY, m.Case.status == "open")
        )
        if case is None:
            return
        has_restriction = session.scalar(
            sa.select(m.Restriction.id).where(m.Restriction.case_id == case.id)
        )
        exists = session.scalar(sa.select(m.Appeal.id).where(m.Appeal.case_id == case.id))
        if not has_restriction or exists:
            return
        comms = acting_staff(session, self.names["comms"])
        appeal = open_appeal(
            session,
            case_id=case.id,
            received=system_clock().date(),
            profile=self.loaded.profile,
            by=comms.name,
            now=system_clock(),
        )
        deciders = self.loaded.profile.describe(self.loaded.profile.appeals.decider or ())
        when = (
            f"by {appeal.deadline:%A %d %B %Y} (working days, bank holidays excluded)"
            if appeal.deadline
            else "(the policy sets no deadline)"
        )
        self.events.append(
            f"Tracey appealed ({comms.name} recorded it); {deciders} not involved in her case "
            f"must decide {when}."
        )


def run_demo(directory: Path, console: Console, *, review: bool = False) -> None:
    """Run the demo's passes and story, and print what happened to every sample contact.

    With `review`, staff act only after the first pass: the later steps (approving
    Tracey's formal warning, and what follows from it) are left for someone to do in the
    review pages.
    """
    config_path = write_demo_config(directory)
    loaded = load_config(config_path)
    story_data = read_yaml(shipped("samples", "story.yaml"))
    store = Store(loaded.settings.database_url())
    pipeline = Pipeline(loaded, store)
    story = Story(loaded, store, story_data["staff"])
    stored = performed = handed = 0
    try:
        prepare(loaded, store, story_data["staff"])
        for stage, step in enumerate(story_data["passes"]):
            report = pipeline.run_once(only=[step["name"]])
            if not review or stage == 0:
                story.after(stage)
            after = pipeline.runner.run()  # carry out what staff just approved
            stored += report.stored
            performed += report.run.done + after.done
            handed += report.run.manual + after.manual
        story.finish()
        with store.session() as session:
            console.print(pass_table(session))
            console.print(register_table(session, STORY_TENANCY))
            letters = letters_sent(session, STORY_TENANCY)
            counts = action_counts(session)
            aliases = session.scalar(sa.select(sa.func.count()).select_from(m.AliasLogEntry))
            suspicions = [
                f"{c.account.handle} ~ {c.other.handle}: {c.evidence}"
                for c in session.scalars(sa.select(m.AccountConnection))
            ]
    finally:
        pipeline.close()
        store.dispose()
    for event in story.events:
        console.print(f"  • {event}")
    for title, text in letters:
        console.print(Panel(text, title=title, title_align="left"), markup=False)
    console.print(
        f"Alias log: {aliases} unidentified accounts acted on; suspected connections for "
        f"staff to confirm or dismiss (modbot aliases list): {len(suspicions)}"
    )
    for suspicion in suspicions:
        console.print(f"  ? {suspicion}", markup=False)
    outbox = loaded.settings.connectors["local"].outbox
    console.print(
        f"This run: {stored} new contacts stored, {performed} actions performed, "
        f"{handed} handed to staff."
    )
    if stored == 0:
        console.print("[dim]Nothing new in the inboxes: the demo has run here before.[/]")
    states = ", ".join(f"{state.replace('_', ' ')} {n}" for state, n in sorted(counts.items()))
    console.print(f"Actions so far: {states or 'none'}.")
    console.print(f"Database: {store.display_url}")
    console.print(f"Outbox (what the local connector performed): {outbox}")
    console.print(f"Config used: {config_path}")
    if review:
        console.print(
            "Left for you in the review pages: the formal warning for tracey.hughes.7 waits "
            "for a manager. Give the demo's manager a password with `modbot users password "
            f'"Sunita Rao" --config {config_path}`, set MODBOT_WEB_SECRET, then '
            f"`modbot serve --config {config_path}`."
        )


def letters_sent(session: Session, tenancy_ref: str) -> list[tuple[str, str]]:
    """Every message sent to one tenant's accounts, in order, titled with what and when."""
    sent = session.scalars(
        sa.select(m.Action)
        .join(m.Case, m.Case.id == m.Action.case_id)
        .join(m.TenancyRecord, m.TenancyRecord.id == m.Case.tenancy_id)
        .where(
            m.TenancyRecord.tenancy_ref == tenancy_ref,
            m.Action.state == ActionState.DONE,
            m.Action.message != "",
        )
        .order_by(m.Action.updated_at, m.Action.id)
    )
    return [
        (
            f"Sent to {action.contact.account.handle}: {action.kind.value.replace('_', ' ')}, "
            f"{action.updated_at:%d %b %Y}",
            action.message,
        )
        for action in sent
    ]
