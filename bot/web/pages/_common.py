"""What the page modules share: the store, the clock, the settings in force, answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import BackgroundTasks, Path, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from bot.domain import MAX_ROW_ID
from bot.errors import InputError
from bot.settings.loading import LoadedConfig
from bot.settings.saved import apply_saved_settings
from bot.storage.session import Store
from bot.web.render import Pages, flash

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
"""A row id in a URL: anything no database row can have is "not found", never a crash."""


def pages(request: Request) -> Pages:
    """The page renderer."""
    return request.app.state.pages


def store(request: Request) -> Store:
    """The database."""
    return request.app.state.store


def now(request: Request) -> datetime:
    """The current time (a test's clock, in tests)."""
    return request.app.state.clock()


def in_force(request: Request) -> LoadedConfig:
    """The configuration in force: the file with the saved thresholds and word lists."""
    return apply_saved_settings(request.app.state.loaded, store(request))


def text(form: FormData, name: str) -> str:
    """A text field from the form ("" if absent), trimmed."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def choice(form: FormData, name: str, allowed: tuple[str, ...], what: str) -> str:
    """A field that must be one of `allowed`.

    Raises:
        InputError: it is missing or something else.
    """
    value = text(form, name)
    if value not in allowed:
        raise InputError(f"choose {what}")
    return value


def local_path(value: str, default: str) -> str:
    """A path on this site to go back to (never another site)."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def back_to(form: FormData, default: str) -> str:
    """Where the form asked to return to, if it is a page on this site."""
    return local_path(text(form, "back"), default)


def done(request: Request, message: str, to: str) -> RedirectResponse:
    """Say what was done on the next page, and go there (Post/Redirect/Get)."""
    flash(request, message)
    return RedirectResponse(to, status_code=303)


def carry_out(request: Request, background: BackgroundTasks) -> None:
    """Carry out what just became due (approved actions, undo after a reversal) at once.

    The same decide-and-act run webhook deliveries start; the runner's row locks keep it
    from doing anything twice alongside `modbot run`.
    """
    background.add_task(request.app.state.moderation.run)
