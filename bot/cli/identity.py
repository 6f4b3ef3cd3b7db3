"""Identity and personal data from the command line.

Links, the alias log, subject access exports and the retention purge.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot.cli._app import ConfigOption, console, group, opened_store
from bot.dates.clock import system_clock

links_app = group("links", "Links between platform accounts and tenancy records.")
aliases_app = group("aliases", "The alias log: accounts acted on that nobody can identify.")
person_app = group("person", "Everything held about one person.")
retention_app = group("retention", "Remove personal data past its retention.")

By = Annotated[
    str,
    typer.Option(
        "--by", help="Your staff account's name (modbot users list), for the audit trail."
    ),
]
Note = Annotated[str, typer.Option("--note", help="How you know, or why.")]


def _staff_name(session, by: str, loaded, what: str) -> str:
    """The staff account `--by` names (existing, enabled, one of the profile's roles)."""
    from bot.staff.accounts import acting_staff

    staff = acting_staff(session, by)
    staff.require(loaded.profile.roles, what, loaded.profile)
    return staff.name


@links_app.command("list")
def links_list(
    tenancy: Annotated[str | None, typer.Option(help="Only links to this tenancy.")] = None,
    state: Annotated[
        str | None, typer.Option(help="verified, staff_confirmed or suspected")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """List links; only verified and staff-confirmed links identify a person."""
    from bot.identify.links import list_links
    from bot.storage.models import LinkState

    with opened_store(config) as (_, store), store.session() as session:
        links = list_links(session, tenancy_ref=tenancy, state=LinkState(state) if state else None)
        table = Table(title="Account links")
        for column in ("Link", "Account", "Tenancy", "State", "How", "By", "Note"):
            table.add_column(column)
        for link in links:
            table.add_row(
                str(link.id),
                f"{link.account.platform}:{link.account.handle}",
                link.tenancy.tenancy_ref,
                link.state.value.replace("_", " "),
                link.method,
                link.made_by,
                link.note,
            )
        console.print(table if links else "No links.")


@links_app.command("add")
def links_add(
    platform: Annotated[str, typer.Argument(help="facebook, instagram, x or reddit")],
    handle: Annotated[str, typer.Argument(help="The account's handle.")],
    tenancy_ref: Annotated[str, typer.Argument(help="The tenancy reference.")],
    by: By,
    note: Note,
    user_id: Annotated[
        str | None, typer.Option(help="The platform's user id, if the bot has not seen it.")
    ] = None,
    suspected: Annotated[
        bool, typer.Option(help="Record only a suspicion (it will not identify anyone).")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Link an account to a tenancy, confirmed by you (or only suspected)."""
    import sqlalchemy as sa

    from bot.errors import InputError
    from bot.identify.accounts import normalise_handle
    from bot.identify.links import add_link
    from bot.storage.models import Account, LinkState

    with opened_store(config) as (loaded, store), store.begin() as session:
        by = _staff_name(session, by, loaded, "linking an account")
        wanted = normalise_handle(handle)
        known = [
            a
            for a in session.scalars(sa.select(Account).where(Account.platform == platform))
            if normalise_handle(a.handle) == wanted
        ]
        if user_id is None and len(known) != 1:
            raise InputError(
                f"the bot has {'not seen' if not known else 'seen several accounts called'} "
                f"{platform}:{handle}; give the platform's user id with --user-id"
            )
        link = add_link(
            session,
            platform=platform,
            platform_user_id=user_id or known[0].platform_user_id,
            handle=handle,
            tenancy_ref=tenancy_ref,
            state=LinkState.SUSPECTED if suspected else LinkState.STAFF_CONFIRMED,
            made_by=by,
            note=note,
            now=system_clock(),
        )
        console.print(f"Link {link.id}: {platform}:{handle} → {tenancy_ref} ({link.state.value}).")


@links_app.command("confirm")
def links_confirm(link_id: int, by: By, note: Note, config: ConfigOption = None) -> None:
    """Confirm a suspected link: from now on it identifies the person."""
    from bot.identify.links import confirm_link

    with opened_store(config) as (loaded, store), store.begin() as session:
        by = _staff_name(session, by, loaded, "confirming a link")
        confirm_link(session, link_id, by=by, note=note, now=system_clock())
        console.print(f"Link {link_id} confirmed by {by}.")


@links_app.command("remove")
def links_remove(link_id: int, by: By, note: Note, config: ConfigOption = None) -> None:
    """Remove a wrong link (the audit trail keeps who and why)."""
    from bot.identify.links import remove_link

    with opened_store(config) as (loaded, store), store.begin() as session:
        by = _staff_name(session, by, loaded, "removing a link")
        remove_link(session, link_id, by=by, note=note, now=system_clock())
        console.print(f"Link {link_id} removed.")


@aliases_app.command("list")
def aliases_list(config: ConfigOption = None) -> None:
    """Unidentified accounts the bot acted on, and suspected connections between accounts."""
    import sqlalchemy as sa

    from bot.storage.models import AccountConnection, AliasLogEntry, ConnectionState

    with opened_store(config) as (_, store), store.session() as session:
        entries = list(session.scalars(sa.select(AliasLogEntry).order_by(AliasLogEntry.last_seen)))
        table = Table(title="Alias log")
        for column in ("Account", "Display names", "First seen", "Last seen", "Why logged"):
            table.add_column(column)
        for e in entries:
            table.add_row(
                f"{e.platform}:{e.handle}",
                ", ".join(e.display_names),
                f"{e.first_seen:%d %b %Y}",
                f"{e.last_seen:%d %b %Y}",
                e.reason,
            )
        console.print(table if entries else "The alias log is empty.")
        connections = list(
            session.scalars(
                sa.select(AccountConnection)
                .where(AccountConnection.state == ConnectionState.SUSPECTED)
                .order_by(AccountConnection.confidence.desc())
            )
        )
        table = Table(title="Suspected connections (confirm or dismiss)")
        for column in ("#", "Accounts", "Evidence", "Confidence"):
            table.add_column(column)
        for c in connections:
            table.add_row(
                str(c.id),
                f"{c.account.platform}:{c.account.handle} ~ {c.other.platform}:{c.other.handle}",
                c.evidence,
                f"{c.confidence:.0%}",
            )
        console.print(table if connections else "No suspected connections waiting.")


def _decide(connection_id: int, confirm: bool, by: str, note: str, config: Path | None) -> None:
    from bot.identify.suspicions import decide_connection

    with opened_store(config) as (loaded, store), store.begin() as session:
        connection = decide_connection(
            session,
            connection_id,
            confirm=confirm,
            by=_staff_name(session, by, loaded, "deciding a suspected connection"),
            note=note,
            profile=loaded.profile,
            now=system_clock(),
        )
        console.print(f"Connection {connection.id} {connection.state.value}.")


@aliases_app.command("confirm")
def aliases_confirm(connection_id: int, by: By, note: Note, config: ConfigOption = None) -> None:
    """Confirm two accounts are the same person (blocks a pseudonym where the policy says)."""
    _decide(connection_id, True, by, note, config)


@aliases_app.command("dismiss")
def aliases_dismiss(connection_id: int, by: By, note: Note, config: ConfigOption = None) -> None:
    """Dismiss a suspected connection."""
    _decide(connection_id, False, by, note, config)


@person_app.command("export")
def person_export(
    tenancy_ref: str,
    by: By,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="JSON file to write (default stdout).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Everything held about one person, as JSON, for a subject access request."""
    from bot.privacy.subject_access import export_person

    with opened_store(config) as (loaded, store), store.begin() as session:
        by = _staff_name(session, by, loaded, "a subject access export")
        data = export_person(session, tenancy_ref, by=by, now=system_clock())
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(f"Wrote everything held about {tenancy_ref} to {output}.")


@retention_app.command("run")
def retention_run(config: ConfigOption = None) -> None:
    """Remove personal data past its retention now (the scheduler also runs this daily)."""
    from bot.privacy.retention import purge

    with opened_store(config) as (loaded, store), store.begin() as session:
        retention = loaded.settings.retention
        report = purge(
            session,
            now=system_clock(),
            contact_text_days=retention.contact_text_days,
            alias_log_days=retention.alias_log_days,
            profile=loaded.profile,
        )
    counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report.as_dict().items())
    console.print(f"Retention purge done: {counts}.")
