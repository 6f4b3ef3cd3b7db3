"""The review queue and the contact page, where a comms officer says "this was wrong".

Reversing goes through `reverse_decision`, as `modbot reverse` does: what can be undone on
the platform (unhide, unblock) is planned and carried out at once, and the reversal counts
in the weekly summary's "decisions staff reversed".
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response

from bot.dates.weeks import Week
from bot.errors import InputError
from bot.register.approvals import approvers_of, may_decide
from bot.register.explain import explain
from bot.register.queue import (
    PAGE_SIZE,
    SEVERITY_LABELS,
    SORTS,
    STATES,
    QueueFilters,
    platforms,
    review_queue,
)
from bot.register.reversals import reverse_decision
from bot.storage.models import Contact
from bot.summary.figures import reversals_in_week
from bot.summary.weekly import summary_options
from bot.web.pages._common import RowId, carry_out, done, in_force, now, pages, store, text
from bot.web.security import Form, Staffer
from filters.base import TEXT_CATEGORIES, Category

router = APIRouter()


def reversed_this_week(request: Request) -> int:
    """Decisions reversed this week, counted exactly as the weekly summary counts them."""
    loaded = in_force(request)
    moment = now(request)
    week = Week.containing(moment, loaded.settings.schedule.zone())
    with store(request).begin() as session:
        return reversals_in_week(session, week, now=moment, options=summary_options(loaded)).total


@router.get("/queue")
def queue(request: Request, user: Staffer) -> Response:
    """What the bot did and what waits for a person, filtered and most severe first."""
    filters = QueueFilters.from_query(dict(request.query_params))
    thresholds = in_force(request).settings.thresholds
    with store(request).session() as session:
        rows, total = review_queue(session, filters, thresholds)
        known_platforms = platforms(session)
    context = {
        "rows": rows,
        "total": total,
        "filters": filters,
        "pages_total": max(1, -(-total // PAGE_SIZE)),
        "platforms": known_platforms,
        "categories": [c.value for c in Category],
        "states": STATES,
        "sorts": SORTS,
        "severity_labels": SEVERITY_LABELS,
        "reversed_this_week": reversed_this_week(request),
    }
    return pages(request).render(request, "queue.html", context, user=user, title="Review queue")


@router.get("/contacts/{ref}")
def contact_page(request: Request, ref: str, user: Staffer) -> Response:
    """Everything about one contact: text, findings, decision, actions, and "this was wrong"."""
    loaded = in_force(request)
    with store(request).session() as session:
        try:
            found = explain(session, ref)
        except InputError as exc:
            return pages(request).render(
                request, "missing.html", {"message": str(exc)}, user=user, status=404
            )
        findings = sorted(found.contact.findings, key=lambda f: (-f.score, f.rule))
        spans = [span for f in findings for span in f.spans]
        context = {
            "found": found,
            "contact": found.contact,
            "decision": found.decision,
            "findings": findings,
            "spans": spans,
            "thresholds": loaded.settings.thresholds,
            "text_categories": [c.value for c in TEXT_CATEGORIES],
            "may_decide": {a.id: may_decide(user.staff, a, loaded.profile) for a in found.actions},
            "needs": {a.id: loaded.profile.describe(approvers_of(a)) for a in found.actions},
            "ago": now(request) - found.contact.created_at > timedelta(days=1),
        }
        return pages(request).render(
            request, "contact.html", context, user=user, title=f"Contact {found.contact.id}"
        )


@router.post("/contacts/{contact_id}/reverse")
def reverse(
    request: Request, contact_id: RowId, user: Staffer, form: Form, background: BackgroundTasks
) -> Response:
    """Reverse the contact's decision as a false positive, with the reason."""
    reason = text(form, "reason")
    with store(request).begin() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.decision is None:
            raise InputError(f"contact {contact_id} has no decision to reverse")
        undo = reverse_decision(
            session,
            contact.decision.id,
            staff=user.staff,
            reason=reason,
            profile=in_force(request).profile,
            now=now(request),
        )
        planned = [a.kind.value.replace("_", " ") for a in undo]
    carry_out(request, background)
    message = "Decision reversed as a false positive; it no longer counts against anyone."
    if planned:
        message += f" Being undone on the platform now: {', '.join(planned)}."
    return done(request, message, f"/contacts/{contact_id}")
