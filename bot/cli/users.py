"""Staff accounts for the review pages, from the command line: `modbot users ...`.

Whoever runs these has the server (and so the database) in hand; the audit trail records
the operating-system user who did it. Passwords are typed at a hidden prompt (twice) or
read from standard input for scripts, never given as an argument, where they would be
left in the shell's history and the process list.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.table import Table

from bot.cli._app import ConfigOption, console, group, opened_store
from bot.dates.clock import system_clock
from bot.domain import Role
from bot.errors import InputError

users_app = group("users", "Staff accounts that sign in to the review pages.")

Name = Annotated[str, typer.Argument(help="The person's name, as the register records it.")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]


def _operator() -> str:
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise InputError("no password on standard input")
        return line.rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add(
    name: Name,
    role: Annotated[Role, typer.Option("--role", help="The role they act in under the policy.")],
    password_stdin: PasswordStdin = False,
    config: ConfigOption = None,
) -> None:
    """Create an account; the password is asked for twice (hidden) or read from stdin."""
    from bot.staff.accounts import add_user, check_new_password

    password = _password(password_stdin)
    check_new_password(name, password)
    with opened_store(config) as (_, store), store.begin() as session:
        user = add_user(
            session, name=name, role=role, password=password, by=_operator(), now=system_clock()
        )
        console.print(f"Account created: {user.name} ({user.role}).", markup=False)


@users_app.command("list")
def users_list(config: ConfigOption = None) -> None:
    """List the accounts, their roles, and when each last signed in."""
    from bot.staff.accounts import list_users

    now = system_clock()
    with opened_store(config) as (_, store), store.session() as session:
        users = list_users(session)
        table = Table(title="Staff accounts")
        for column in ("Name", "Role", "State", "Last signed in"):
            table.add_column(column)
        for user in users:
            state = "active" if user.active else "disabled"
            if user.locked_until and user.locked_until > now:
                state = f"locked until {user.locked_until:%H:%M} UTC"
            last = f"{user.last_signin_at:%d %b %Y %H:%M}" if user.last_signin_at else "never"
            table.add_row(user.name, user.role, state, last)
        console.print(table if users else "No accounts yet: add one with `modbot users add`.")


@users_app.command("password")
def users_password(
    name: Name, password_stdin: PasswordStdin = False, config: ConfigOption = None
) -> None:
    """Set a new password (also lifts a lock-out and signs the person out everywhere)."""
    from bot.staff.accounts import set_password

    password = _password(password_stdin)
    with opened_store(config) as (_, store), store.begin() as session:
        set_password(session, name=name, password=password, by=_operator(), now=system_clock())
    console.print(f"Password changed for {name}.", markup=False)


@users_app.command("role")
def users_role(
    name: Name,
    role: Annotated[Role, typer.Option("--role", help="The role they act in under the policy.")],
    config: ConfigOption = None,
) -> None:
    """Change the role someone acts in (they sign in again)."""
    from bot.staff.accounts import set_role

    with opened_store(config) as (_, store), store.begin() as session:
        set_role(session, name=name, role=role, by=_operator(), now=system_clock())
    console.print(f"{name} now acts as {role.value}.", markup=False)


@users_app.command("disable")
def users_disable(name: Name, config: ConfigOption = None) -> None:
    """Stop someone signing in (their open sessions end at once)."""
    from bot.staff.accounts import set_active

    with opened_store(config) as (_, store), store.begin() as session:
        set_active(session, name=name, active=False, by=_operator(), now=system_clock())
    console.print(f"Account disabled: {name}.", markup=False)


@users_app.command("enable")
def users_enable(name: Name, config: ConfigOption = None) -> None:
    """Let a disabled account sign in again."""
    from bot.staff.accounts import set_active

    with opened_store(config) as (_, store), store.begin() as session:
        set_active(session, name=name, active=True, by=_operator(), now=system_clock())
    console.print(f"Account enabled: {name}.", markup=False)
