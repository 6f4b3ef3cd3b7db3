"""Signing in and out.

A wrong name, a wrong password and a locked account get the same answer, so the page does
not tell anyone which names have accounts. Too many failures lock the account (counted in
the database) except on devices it has signed in on before, and, separately, the address
they came from; a known device passes both, so guessing cannot lock the owner out.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from bot.staff.accounts import SigninLimits, authenticate
from bot.staff.sessions import end_session, start_session
from bot.web.pages._common import done, local_path, now, pages, store, text
from bot.web.render import flash
from bot.web.security import Form

router = APIRouter()


@router.get("/")
def home() -> RedirectResponse:
    """The queue is where the work starts."""
    return RedirectResponse("/queue", status_code=303)


@router.get("/signin")
def signin_page(request: Request, next: Annotated[str, Query()] = "/queue") -> Response:
    """The sign-in form."""
    if isinstance(request.session.get("sid"), str):
        return RedirectResponse(local_path(next, "/queue"), status_code=303)
    return pages(request).render(
        request, "signin.html", {"next": local_path(next, "/queue")}, title="Sign in"
    )


@router.post("/signin")
def signin(request: Request, form: Form) -> Response:
    """Check the name and password; on success start a fresh session."""
    name, password = text(form, "name"), form.get("password")
    next_url = local_path(text(form, "next"), "/queue")
    address = request.client.host if request.client else "unknown"
    web = request.app.state.loaded.settings.web
    throttle = request.app.state.throttle
    zone = request.app.state.loaded.settings.schedule.zone()

    def again(message: str, status: int) -> Response:
        context = {"next": next_url, "name": name, "error": message}
        return pages(request).render(
            request, "signin.html", context, status=status, title="Sign in"
        )

    devices = request.app.state.devices
    known = devices.accounts(request)
    until = throttle.blocked_until(address)
    if until is not None and not known:
        return again(
            f"Too many failed sign-ins from this computer. Try again after "
            f"{until.astimezone(zone):%H:%M}.",
            429,
        )
    if not name or not isinstance(password, str) or not password:
        return again("Enter your name and your password.", 400)
    limits = SigninLimits(web.max_failed_signins, request.app.state.lockout)
    with store(request).begin() as session:
        result = authenticate(
            session,
            name=name,
            password=password,
            now=now(request),
            limits=limits,
            known_devices=known,
        )
        user = result.user
        if user is not None:
            user_id = user.id
            token = start_session(session, user_id=user_id, now=now(request))
    if user is None:  # a wrong name, a wrong password and a locked account look alike
        throttle.failed(address)
        return again(
            "That name and password do not match an account. Check both and try again. "
            f"After {web.max_failed_signins} wrong passwords an account can be signed in to "
            f"for {web.lockout_minutes} minutes only on a computer it has been used on before.",
            401,
        )
    request.session.clear()  # a new session on sign-in: nothing carries over
    request.session["sid"] = token
    response = done(request, f"Signed in as {user.name}.", next_url)
    devices.remember(request, response, user_id)
    return response


@router.post("/signout")
def signout(request: Request, form: Form) -> Response:
    """End the session, here and on the server: a copy of the cookie opens nothing."""
    token = request.session.get("sid")
    if isinstance(token, str):
        with store(request).begin() as session:
            end_session(session, token=token, now=now(request), reason="signed out")
    request.session.clear()
    flash(request, "You have signed out.")
    return RedirectResponse("/signin", status_code=303)
