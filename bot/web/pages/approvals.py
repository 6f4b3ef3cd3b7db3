"""Approvals: formal steps waiting for the role the policy profile names.

The page shows who may decide each one; `decide_approval` is what refuses a role the
profile does not allow, exactly as `modbot approvals approve` does, and records the name.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response

from bot.register.approvals import approvers_of, decide_approval, may_decide, pending
from bot.register.queue import tenancy_refs
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


@router.get("/approvals")
def approvals(request: Request, user: Staffer) -> Response:
    """Everything waiting for approval, oldest first, with what you may decide."""
    profile = in_force(request).profile
    with store(request).session() as session:
        waiting = pending(session)
        refs = tenancy_refs(session, {a.contact.account_id for a in waiting})
        rows = [
            {
                "action": action,
                "required": profile.describe(approvers_of(action)),
                "may": may_decide(user.staff, action, profile),
                "tenancy_ref": refs.get(action.contact.account_id, ""),
            }
            for action in waiting
        ]
        return pages(request).render(
            request, "approvals.html", {"rows": rows}, user=user, title="Approvals"
        )


@router.post("/approvals/{action_id}")
def decide(
    request: Request, action_id: RowId, user: Staffer, form: Form, background: BackgroundTasks
) -> Response:
    """Approve or reject one action, in your name, with your reason."""
    verdict = choice(form, "decision", ("approve", "reject"), "approve or reject")
    loaded = in_force(request)
    with store(request).begin() as session:
        action = decide_approval(
            session,
            action_id,
            approve=verdict == "approve",
            staff=user.staff,
            note=text(form, "note"),
            profile=loaded.profile,
            contact_point=loaded.settings.organisation.contact_point.model_dump(),
            now=now(request),
        )
        what = f"{action.kind.value.replace('_', ' ')} for {action.contact.account.handle}"
    if verdict == "approve":
        carry_out(request, background)
        message = f"Approved: {what}. It is being carried out now."
    else:
        message = f"Rejected: {what}. It will not be carried out."
    return done(request, message, back_to(form, "/approvals"))
