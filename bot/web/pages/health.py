"""Connector health and the scheduler's jobs (what `modbot status` shows), and "run now"."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response

from bot.scheduler.lease import database_now
from bot.scheduler.status import gather_status
from bot.web.pages._common import back_to, carry_out, done, in_force, pages, store
from bot.web.pages.queue import reversed_this_week
from bot.web.security import Form, Staffer

router = APIRouter()


@router.get("/health")
def health(request: Request, user: Staffer) -> Response:
    """Each connector's last poll and error, the jobs, what waits, and reversals this week."""
    with store(request).session() as session:
        moment = database_now(session)
        report = gather_status(session, in_force(request), now=moment)
    context = {
        "report": report,
        "moment": moment,
        "reversed_this_week": reversed_this_week(request),
    }
    return pages(request).render(request, "health.html", context, user=user, title="Health")


@router.post("/health/run")
def run_now(request: Request, user: Staffer, form: Form, background: BackgroundTasks) -> Response:
    """Decide what is stored and carry out what is due, now, in this process."""
    carry_out(request, background)
    return done(
        request,
        "Carrying out what is due now: refresh this page in a moment to see the result.",
        back_to(form, "/health"),
    )
