"""Reviews of restrictions and appeals falling due: record a review, open or decide an appeal.

`record_review` and `decide_appeal` check the role the profile names, and `decide_appeal`
refuses the person who made the decision under appeal; the page shows their refusal.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot.errors import InputError
from bot.register.appeals import appeals_due, decide_appeal, open_appeal
from bot.register.reviews import record_review, reviews_due
from bot.storage.models import Case, TenancyRecord
from bot.web.pages._common import RowId, back_to, choice, done, in_force, now, pages, store, text
from bot.web.security import Form, Staffer

router = APIRouter()
WINDOWS = (14, 30, 90, 365)


def case_page(session: Session, case: Case) -> tuple[str, str]:
    """Where a case's person or account is shown, and how to name them."""
    if case.tenancy_id is not None:
        tenancy = session.get(TenancyRecord, case.tenancy_id)
        if tenancy is not None:
            return f"/people/{tenancy.tenancy_ref}", tenancy.tenancy_ref
    if case.account_id is not None:
        return f"/accounts/{case.account_id}", f"account {case.account_id}"
    return "/queue", f"case {case.id}"


@router.get("/due")
def due(request: Request, user: Staffer, within: Annotated[int, Query()] = 30) -> Response:
    """Restriction reviews and appeal deadlines within the chosen number of days."""
    within = within if within in WINDOWS else 30
    loaded = in_force(request)
    with store(request).session() as session:
        moment = now(request)
        reviews = [
            (r, *case_page(session, r.case))
            for r in reviews_due(session, now=moment, within_days=within)
        ]
        appeals = [
            (a, *case_page(session, a.case))
            for a in appeals_due(session, now=moment, within_days=within)
        ]
        context = {
            "reviews": reviews,
            "appeals": appeals,
            "within": within,
            "windows": WINDOWS,
            "now": moment,
            "reviewer": loaded.profile.describe(loaded.profile.reviews.reviewer),
            "decider": loaded.profile.describe(loaded.profile.appeals.decider or ()),
        }
        return pages(request).render(
            request, "due.html", context, user=user, title="Reviews and appeals due"
        )


@router.post("/reviews/{restriction_id}")
def review(request: Request, restriction_id: RowId, user: Staffer, form: Form) -> Response:
    """Record a restriction's review: continue it for another period, or end it."""
    outcome = choice(form, "outcome", ("continue", "end"), "continue or end")
    with store(request).begin() as session:
        restriction = record_review(
            session,
            restriction_id=restriction_id,
            outcome=outcome,  # type: ignore[arg-type]
            staff=user.staff,
            note=text(form, "note"),
            explanation=text(form, "explanation"),
            profile=in_force(request).profile,
            now=now(request),
        )
        if restriction.ended_at:
            message = f"Review recorded: restriction {restriction.id} has ended."
        else:
            message = (
                f"Review recorded: restriction {restriction.id} continues; next review "
                f"{restriction.review_due:%d %B %Y}."
            )
    return done(request, message, back_to(form, "/due"))


@router.post("/appeals/{appeal_id}/decide")
def decide(request: Request, appeal_id: RowId, user: Staffer, form: Form) -> Response:
    """Record an appeal's outcome in your name (not if you made the decision appealed)."""
    outcome = choice(
        form, "outcome", ("upheld", "overturned", "varied"), "upheld, overturned or varied"
    )
    with store(request).begin() as session:
        appeal = decide_appeal(
            session,
            appeal_id=appeal_id,
            outcome=outcome,  # type: ignore[arg-type]
            staff=user.staff,
            note=text(form, "note"),
            explanation=text(form, "explanation"),
            profile=in_force(request).profile,
            now=now(request),
        )
        message = f"Appeal {appeal.id} decided: {appeal.outcome}; the person is sent it in writing."
    return done(request, message, back_to(form, "/due"))


@router.post("/cases/{case_id}/appeals")
def open_(request: Request, case_id: RowId, user: Staffer, form: Form) -> Response:
    """Record an appeal received against the case's latest formal decision."""
    loaded = in_force(request)
    user.staff.require(loaded.profile.roles, "recording an appeal", loaded.profile)
    try:
        received = date.fromisoformat(text(form, "received"))
    except ValueError:
        raise InputError("give the date the appeal arrived, e.g. 2026-11-20") from None
    with store(request).begin() as session:
        appeal = open_appeal(
            session,
            case_id=case_id,
            received=received,
            profile=loaded.profile,
            by=user.name,
            now=now(request),
        )
        when = f" by {appeal.deadline:%A %d %B %Y}" if appeal.deadline else ""
        who = loaded.profile.describe(loaded.profile.appeals.decider or ())
        message = (
            f"Appeal {appeal.id} recorded. {who[:1].upper()}{who[1:]} not involved in the case "
            f"must decide it{when}."
        )
        if appeal.late:
            message += " It arrived after the appeal window: a manager decides whether to hear it."
    return done(request, message, back_to(form, "/due"))
