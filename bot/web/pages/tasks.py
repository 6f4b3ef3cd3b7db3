"""Manual tasks: what the platform cannot do, or a person must decide; and assessments.

A task is for the roles the profile names for it (anyone routes a complaint; a police report
is for the roles the policy gives it); `close_task` checks. Assessments record their outcome
through `conclude_assessment`, which checks the roles the profile names.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import Response

from bot.domain import Role
from bot.errors import InputError
from bot.register.assessments import conclude_assessment
from bot.register.tasks import close_task, open_tasks, task_roles
from bot.settings.profile import PROTOCOL_TERMS
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


@router.get("/tasks")
def tasks(request: Request, user: Staffer, role: Annotated[str, Query()] = "") -> Response:
    """Open tasks, oldest first; optionally only those for one role."""
    loaded = in_force(request)
    with store(request).session() as session:
        listed = open_tasks(session, role=role or None)
        context = {
            "tasks": listed,
            "role": role,
            "roles": [r.value for r in Role],
            "protocol_terms": PROTOCOL_TERMS,
            "default_protocol": loaded.profile.ladder.restriction.default_protocol,
            "may": {
                t.id: user.staff.may(task_roles(t, loaded.profile), loaded.profile) for t in listed
            },
        }
        return pages(request).render(
            request, "tasks.html", context, user=user, title="Manual tasks"
        )


@router.post("/tasks/{task_id}")
def close(
    request: Request, task_id: RowId, user: Staffer, form: Form, background: BackgroundTasks
) -> Response:
    """Mark a task done, or not needed (with the reason)."""
    outcome = choice(form, "outcome", ("done", "not_needed"), "done or not needed")
    note = text(form, "note")
    if outcome == "not_needed" and not note:
        raise InputError("say why the task is not needed")
    with store(request).begin() as session:
        close_task(
            session,
            task_id,
            done=outcome == "done",
            staff=user.staff,
            note=note,
            profile=in_force(request).profile,
            now=now(request),
        )
    carry_out(request, background)
    word = "done" if outcome == "done" else "not needed"
    return done(request, f"Task {task_id} marked {word}.", back_to(form, "/tasks"))


@router.post("/tasks/{task_id}/assessment")
def assessment(request: Request, task_id: RowId, user: Staffer, form: Form) -> Response:
    """Record an assessment's outcome; if unacceptable, a restriction goes for approval."""
    outcome = choice(form, "outcome", ("unacceptable", "acceptable"), "the assessment's outcome")
    with store(request).begin() as session:
        proposal = conclude_assessment(
            session,
            task_id=task_id,
            unacceptable=outcome == "unacceptable",
            protocol=[p for p in form.getlist("protocol") if isinstance(p, str)],
            staff=user.staff,
            note=text(form, "note"),
            profile=in_force(request).profile,
            now=now(request),
        )
        if proposal is None:
            message = "Assessment recorded: no restriction proposed."
        else:
            message = (
                "Assessment recorded. The restriction now waits for a "
                f"{(proposal.approver_role or 'manager').replace('-', ' ')} on the approvals page."
            )
    return done(request, message, back_to(form, "/tasks"))
