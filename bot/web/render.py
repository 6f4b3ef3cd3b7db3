"""Turning page data into HTML: the Jinja2 templates, their filters, and what every page shows.

Templates autoescape everything; the one place that builds markup from contact text
(`highlight`) escapes each piece itself. Links to platforms are only ever http(s).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from bot.domain import ActionState, Clause
from bot.storage.models import Action, ManualTask
from bot.summary.model import CATEGORY_LABELS, PLATFORM_LABELS, TASK_LABELS
from bot.web.security import SignedIn, csrf_token

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

STATE_LABELS = {
    ActionState.PLANNED.value: "Planned",
    ActionState.AWAITING_APPROVAL.value: "Waiting for approval",
    ActionState.APPROVED.value: "Approved, to be carried out",
    ActionState.RUNNING.value: "Being carried out",
    ActionState.DONE.value: "Done",
    ActionState.FAILED.value: "Failed, will retry",
    ActionState.UNSUPPORTED.value: "Platform cannot: with staff",
    ActionState.MANUAL_TASK.value: "With staff",
    ActionState.REJECTED.value: "Rejected",
    ActionState.SUPERSEDED.value: "Withdrawn",
}
ROLE_LABELS = {
    "comms": "comms officer",
    "manager": "manager",
    "head-of-service": "Head of Service",
    "director": "Director",
    "executive": "Executive Team member",
    "smt": "Senior Management Team member",
    "admin": "administrator",
}


def words(value: str) -> str:
    """A stored key as words: "private_warning" → "private warning"."""
    return str(value).replace("_", " ")


def highlight(text: str, spans: Iterable[Sequence[int]]) -> Markup:
    """The text, escaped, with each matched span (merged where they overlap) in <mark>."""
    merged: list[list[int]] = []
    for start, end in sorted((int(s), int(e)) for s, e in spans if 0 <= s < e <= len(text)):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    at = 0
    for start, end in merged:
        out.append(str(escape(text[at:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


def safe_link(url: str | None) -> str:
    """The URL if it is an http(s) link, else nothing (never a javascript: link)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def task_label(task: ManualTask) -> str:
    """What kind of task this is, in words."""
    return TASK_LABELS.get(task.kind, words(task.kind).capitalize())


def build_templates() -> Jinja2Templates:
    """The template set with modbot's filters."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.filters["words"] = words
    env.filters["state"] = lambda s: STATE_LABELS.get(str(s), words(str(s)))
    env.filters["role"] = lambda r: ROLE_LABELS.get(str(r), words(str(r)))
    env.filters["category"] = lambda c: CATEGORY_LABELS.get(str(c), words(str(c)))
    env.filters["platform"] = lambda p: PLATFORM_LABELS.get(str(p), str(p))
    env.filters["safe_link"] = safe_link
    env.filters["task_label"] = task_label
    env.globals["highlight"] = highlight
    return templates


class Pages:
    """Renders a page with what every page needs: who is signed in, the token, the counts."""

    def __init__(self, templates: Jinja2Templates) -> None:
        self.templates = templates

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        user: SignedIn | None = None,
        status: int = 200,
        title: str = "",
    ) -> HTMLResponse:
        """Render `template` with the common context and this session's flash message."""
        app = request.app
        loaded = app.state.loaded
        zone = loaded.settings.schedule.zone()

        def when(moment: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
            return moment.astimezone(zone).strftime(fmt) if moment else ""

        def cite(action: Action) -> str:
            return loaded.profile.cite(Clause(action.clause_ref, action.clause_title))

        full = {
            "request": request,
            "user": user,
            "csrf": csrf_token(request),
            "flash": request.session.pop("flash", None),
            "organisation": loaded.settings.organisation.name,
            "counts": self._counts(request) if user else {},
            "when": when,
            "cite": cite,
            "title": title,
            **(context or {}),
        }
        return self.templates.TemplateResponse(request, template, full, status_code=status)

    def _counts(self, request: Request) -> dict[str, int]:
        with request.app.state.store.session() as session:
            approvals = session.scalar(
                sa.select(sa.func.count())
                .select_from(Action)
                .where(Action.state == ActionState.AWAITING_APPROVAL)
            )
            tasks = session.scalar(
                sa.select(sa.func.count()).select_from(ManualTask).where(ManualTask.state == "open")
            )
        return {"approvals": approvals or 0, "tasks": tasks or 0}


def flash(request: Request, message: str, kind: str = "done") -> None:
    """Show `message` once, on the next page this session sees."""
    request.session["flash"] = {"kind": kind, "text": message}
