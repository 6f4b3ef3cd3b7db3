"""Thresholds and word lists: edit, preview what would change over 90 days, then save.

Saving is only offered from a preview, and only for exactly the values previewed (the save
form carries their fingerprint and the revision they were previewed against). The preview
is `bot.replay`, the same what-if `modbot replay` prints: every contact of the last 90 days
re-decided under both settings, nothing written.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from bot.decide.replay import replay
from bot.errors import FilterError, InputError
from bot.settings.loading import LoadedConfig
from bot.settings.saved import (
    WORD_LISTS,
    Editable,
    candidate,
    changes_between,
    history,
    parse_form,
    save_settings,
    saved_keys,
    threshold_key,
    words_key,
)
from bot.web.pages._common import done, in_force, now, pages, store, text
from bot.web.security import Form, SignedIn, Staffer
from filters.base import TEXT_CATEGORIES

router = APIRouter()
PREVIEW_DAYS = 90
CHANGES_SHOWN = 50


def _form_values(editable: Editable) -> dict[str, str]:
    values = {threshold_key(c): f"{v:g}" for c, v in editable.thresholds.items()}
    values.update({words_key(n): "\n".join(v) for n, v in editable.words.items()})
    return values


def _render(
    request: Request,
    user: SignedIn,
    loaded: LoadedConfig,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    preview: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    file_values = Editable.of(request.app.state.loaded.settings).values()
    with store(request).session() as session:
        saved, _ = saved_keys(session)
        context = {
            "values": values or _form_values(Editable.of(loaded.settings)),
            "problems": problems or {},
            "preview": preview,
            "categories": [c.value for c in TEXT_CATEGORIES],
            "word_lists": WORD_LISTS,
            "saved": saved,
            "file_values": file_values,
            "history": history(session),
            "revision": loaded.settings_revision,
            "days": PREVIEW_DAYS,
        }
        return pages(request).render(
            request, "settings.html", context, user=user, status=status, title="Settings"
        )


@router.get("/settings")
def settings(request: Request, user: Staffer) -> Response:
    """The thresholds and word lists in force, where each came from, and the history."""
    return _render(request, user, in_force(request))


def _proposed(form: FormData) -> tuple[Editable | None, dict[str, str], dict[str, str]]:
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    proposed, problems = parse_form(raw)
    return proposed, problems, raw


@router.post("/settings/preview")
def preview(request: Request, user: Staffer, form: Form) -> Response:
    """What the proposed settings would have done over the last 90 days, before saving."""
    loaded = in_force(request)
    proposed, problems, raw = _proposed(form)
    if proposed is None:
        return _render(request, user, loaded, values=raw, problems=problems, status=400)
    tried = candidate(loaded, proposed)
    moment = now(request)
    try:
        report = replay(
            store(request), loaded, tried, since=moment - timedelta(days=PREVIEW_DAYS), now=moment
        )
    except FilterError as exc:
        problems = {"words.extra_profanity": str(exc)}
        return _render(request, user, loaded, values=raw, problems=problems, status=400)
    summary = {
        "report": report,
        "changes": changes_between(Editable.of(loaded.settings), proposed),
        "shown": report.changes[:CHANGES_SHOWN],
        "fingerprint": proposed.fingerprint(),
        "rows": [
            ("Hidden", report.current.hides, report.other.hides),
            ("Warned", report.current.warnings, report.other.warnings),
            ("Escalated", report.current.escalations, report.other.escalations),
        ]
        + [
            (
                f"Found: {category}",
                report.current.categories[category],
                report.other.categories[category],
            )
            for category in sorted(set(report.current.categories) | set(report.other.categories))
        ],
    }
    return _render(request, user, loaded, values=_form_values(proposed), preview=summary)


@router.post("/settings/save")
def save(request: Request, user: Staffer, form: Form) -> Response:
    """Save exactly what was previewed, in your name, with your note."""
    loaded = in_force(request)
    proposed, problems, raw = _proposed(form)
    if proposed is None:
        return _render(request, user, loaded, values=raw, problems=problems, status=400)
    if text(form, "fingerprint") != proposed.fingerprint():
        raise InputError("these are not the values you previewed; preview them before saving")
    revision = text(form, "revision")
    with store(request).begin() as session:
        row = save_settings(
            session,
            in_force=loaded,
            proposed=proposed,
            previewed_revision=int(revision) if revision.isdigit() else None,
            staff=user.staff,
            note=text(form, "note"),
            now=now(request),
        )
        keys = ", ".join(c["key"] for c in row.changes)
    return done(
        request, f"Settings saved ({keys}). They apply from the next contact decided.", "/settings"
    )
