"""Who is signed in, CSRF tokens for every form, and the per-address sign-in limit.

Sessions are kept in the database (`bot.staff.sessions`): the cookie (Starlette's signed
SessionMiddleware cookie, `httponly`, `samesite=lax`, `secure` as configured) carries only
the session's random token — or, before sign-in, a random visitor id — and at most a
one-off message for the next page. Each request looks the session up, so signing out, a
new password or role, disabling and a lock-out end it at once everywhere. Every form
carries a CSRF token derived from the session's token and every POST checks it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import FormData

from bot.domain import Role
from bot.staff.roles import Staff
from bot.staff.sessions import session_user

SESSION_COOKIE = "modbot_session"
DEVICE_COOKIE = "modbot_device"
DEVICE_DAYS = 180


class SignInRequiredError(Exception):
    """No one is signed in (or their session has ended): go to the sign-in page."""

    def __init__(self, next_url: str, message: str = "") -> None:
        super().__init__(message)
        self.next_url = next_url
        self.message = message


class CsrfRefusedError(Exception):
    """A form came without this session's token: refused before anything is done."""


class PagesClosedError(Exception):
    """The review pages are closed because no session secret is set."""


@dataclass(frozen=True)
class SignedIn:
    """The member of staff behind this request."""

    user_id: int
    staff: Staff

    @property
    def name(self) -> str:
        """Their name, as the register records it."""
        return self.staff.name

    @property
    def role(self) -> Role:
        """The role they act in."""
        return self.staff.role


def csrf_token(request: Request) -> str:
    """The CSRF token of this session (or of this visitor, before sign-in).

    An HMAC of the session's token, so it is never stored and a token from another
    session, or from before sign-in, does not match.
    """
    key: bytes = request.app.state.csrf_key
    token = request.session.get("sid")
    if not isinstance(token, str):
        token = request.session.get("visitor")
        if not isinstance(token, str):
            token = secrets.token_urlsafe(32)
            request.session["visitor"] = token
    return hmac.new(key, f"csrf|{token}".encode(), hashlib.sha256).hexdigest()


def pages_open(request: Request) -> None:
    """Refuse every page while no session secret is configured."""
    if not request.app.state.pages_open:
        raise PagesClosedError


def signed_in(request: Request) -> SignedIn:
    """The signed-in member of staff, or a trip to the sign-in page."""
    next_url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    token = request.session.get("sid")
    if not isinstance(token, str):
        raise SignInRequiredError(next_url)
    with request.app.state.store.begin() as session:
        user = session_user(
            session,
            token=token,
            now=request.app.state.clock(),
            limits=request.app.state.session_limits,
        )
        signed = SignedIn(user.id, Staff(user.name, Role(user.role))) if user else None
    if signed is None:
        request.session.clear()
        raise SignInRequiredError(next_url, "Your session has ended. Please sign in again.")
    return signed


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches this session's."""
    form = await request.form()
    sent = form.get("csrf_token")
    has_token = isinstance(request.session.get("sid") or request.session.get("visitor"), str)
    if (
        not isinstance(sent, str)
        or not has_token
        or not hmac.compare_digest(sent, csrf_token(request))
    ):
        raise CsrfRefusedError
    return form


Staffer = Annotated[SignedIn, Depends(signed_in)]
Form = Annotated[FormData, Depends(checked_form)]


class AddressThrottle:
    """Failed sign-ins per client address in a sliding window, kept in this process.

    The account's own lock-out is in the database (it holds across processes); this one
    slows someone trying many names from one address.
    """

    def __init__(self, limit: int, window: timedelta, clock: Callable[[], datetime]) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str) -> deque[datetime]:
        failures = self._failures.setdefault(address, deque())
        cutoff = self.clock() - self.window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        return failures

    def blocked_until(self, address: str) -> datetime | None:
        """When this address may try again, if it has failed too often."""
        with self._lock:
            failures = self._recent(address)
            if len(failures) >= self.limit:
                return failures[0] + self.window
            return None

    def failed(self, address: str) -> None:
        """Count one failed sign-in from this address."""
        with self._lock:
            self._recent(address).append(self.clock())
            if len(self._failures) > 10_000:  # a bound on memory under a spray of addresses
                for stale in [a for a, f in self._failures.items() if not f][:5_000]:
                    del self._failures[stale]


class KnownDevices:
    """Which accounts have signed in on this browser: a signed cookie of their ids.

    A locked account still opens to the right password on a device it has signed in on
    before, so someone guessing from elsewhere slows only themselves; the cookie is sent
    only to `/signin` and cannot be forged without the session key.
    """

    def __init__(self, secret: str, *, secure: bool) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="modbot known device")
        self.secure = secure

    def accounts(self, request: Request) -> list[int]:
        """The account ids this browser has signed in as (none if the mark is bad or old)."""
        raw = request.cookies.get(DEVICE_COOKIE)
        if not raw:
            return []
        try:
            ids = self._signer.loads(raw, max_age=DEVICE_DAYS * 86_400)
        except BadSignature:
            return []
        return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []

    def remember(self, request: Request, response: Response, user_id: int) -> None:
        """Add `user_id` to this browser's mark (the ten most recent accounts)."""
        ids = [user_id, *(i for i in self.accounts(request) if i != user_id)][:10]
        response.set_cookie(
            DEVICE_COOKIE,
            self._signer.dumps(ids),
            max_age=DEVICE_DAYS * 86_400,
            path="/signin",
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )
