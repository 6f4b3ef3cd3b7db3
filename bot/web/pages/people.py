"""People and accounts: linked accounts, the alias log, suspected connections, the register.

Confirming a link or a connection goes through `confirm_link` and `decide_connection`, as
`modbot links confirm` and `modbot aliases confirm|dismiss` do; a confirmed pseudonym of a
blocked account is blocked where the policy allows it, carried out at once.
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import RedirectResponse, Response

from bot.errors import InputError
from bot.identify.links import confirm_link
from bot.identify.overview import account_view, person_view, suspected_connections, suspected_links
from bot.identify.suspicions import decide_connection
from bot.storage.models import AliasLogEntry, TenancyRecord
from bot.web.pages._common import (
    RowId,
    back_to,
    carry_out,
    choice,
    done,
    in_force,
    now,
    pages,
    store,
    text,
)
from bot.web.security import Form, Staffer

router = APIRouter()


@router.get("/people")
def people(request: Request, user: Staffer, ref: Annotated[str, Query()] = "") -> Response:
    """Find a tenancy; the alias log; suspicions waiting for staff."""
    ref = ref.strip()
    with store(request).session() as session:
        if ref:
            known = session.scalar(
                sa.select(TenancyRecord.tenancy_ref).where(
                    sa.func.upper(TenancyRecord.tenancy_ref) == ref.upper()
                )
            )
            if known:
                return RedirectResponse(f"/people/{known}", status_code=303)
        context = {
            "ref": ref,
            "not_found": bool(ref),
            "aliases": list(
                session.scalars(sa.select(AliasLogEntry).order_by(AliasLogEntry.last_seen.desc()))
            ),
            "connections": suspected_connections(session),
            "links": suspected_links(session),
        }
        return pages(request).render(request, "people.html", context, user=user, title="People")


@router.get("/people/{tenancy_ref}")
def person(request: Request, tenancy_ref: str, user: Staffer) -> Response:
    """One tenancy: accounts, adjustments, history, restrictions, reviews and appeals."""
    with store(request).session() as session:
        try:
            view = person_view(session, tenancy_ref)
        except InputError as exc:
            return pages(request).render(
                request, "missing.html", {"message": str(exc)}, user=user, status=404
            )
        moment = now(request)
        context = {
            "view": view,
            "back": f"/people/{tenancy_ref}",
            "now": moment,
            "today": moment.date(),
        }
        return pages(request).render(
            request, "person.html", context, user=user, title=f"Tenancy {tenancy_ref}"
        )


@router.get("/accounts/{account_id}")
def account(request: Request, account_id: RowId, user: Staffer) -> Response:
    """One account: who it may be, its alias-log entry and suspected connections, history."""
    with store(request).session() as session:
        try:
            view = account_view(session, account_id)
        except InputError as exc:
            return pages(request).render(
                request, "missing.html", {"message": str(exc)}, user=user, status=404
            )
        moment = now(request)
        context = {
            "view": view,
            "back": f"/accounts/{account_id}",
            "now": moment,
            "today": moment.date(),
        }
        return pages(request).render(
            request, "account.html", context, user=user, title=f"Account {view.account.handle}"
        )


@router.post("/links/{link_id}/confirm")
def confirm(request: Request, link_id: RowId, user: Staffer, form: Form) -> Response:
    """Confirm a suspected link: from now on the account identifies the person."""
    profile = in_force(request).profile
    user.staff.require(profile.roles, "confirming a link", profile)
    with store(request).begin() as session:
        link = confirm_link(
            session, link_id, by=user.name, note=text(form, "note"), now=now(request)
        )
        message = f"Link confirmed: {link.account.handle} is {link.tenancy.tenancy_ref}."
    return done(request, message, back_to(form, "/people"))


@router.post("/connections/{connection_id}")
def connection(
    request: Request, connection_id: RowId, user: Staffer, form: Form, background: BackgroundTasks
) -> Response:
    """Confirm or dismiss a suspicion that two accounts are the same person."""
    profile = in_force(request).profile
    user.staff.require(profile.roles, "deciding a suspected connection", profile)
    verdict = choice(form, "decision", ("confirm", "dismiss"), "confirm or dismiss")
    with store(request).begin() as session:
        decided = decide_connection(
            session,
            connection_id,
            confirm=verdict == "confirm",
            by=user.name,
            note=text(form, "note"),
            profile=in_force(request).profile,
            now=now(request),
        )
        message = (
            f"Connection {decided.account.handle} ~ {decided.other.handle} {decided.state.value}."
        )
    carry_out(request, background)
    return done(request, message, back_to(form, "/people"))
