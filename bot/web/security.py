"""Who is signed in, CSRF tokens for every form, and the per-address sign-in limit.

Sessions live in a signed cookie (Starlette's SessionMiddleware, `httponly`, `samesite=lax`,
`secure` as configured) holding only the account's id, a stamp of when its password or
role last changed, and the session's CSRF token. Each request re-reads the account, so
disabling someone, changing their role or setting a new password ends their sessions at
once. Every form carries the session's CSRF token and every POST checks it.
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
from bot.storage.models import StaffUser

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


def stamp(user: StaffUser) -> str:
    """What a session remembers of the account, so a new password or role ends it.

    A digest, so the (readable, signed) cookie carries nothing of the hash itself.
    """
    return hashlib.sha256(f"{user.password_hash}|{user.role}".encode()).hexdigest()[:24]


def csrf_token(request: Request) -> str:
    """The CSRF token of this session, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def pages_open(request: Request) -> None:
    """Refuse every page while no session secret is configured."""
    if not request.app.state.pages_open:
        raise PagesClosedError


def signed_in(request: Request) -> SignedIn:
    """The signed-in member of staff, or a trip to the sign-in page."""
    next_url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        raise SignInRequiredError(next_url)
    with request.app.state.store.session() as session:
        user = session.get(StaffUser, user_id)
    if user is None or not user.active or request.session.get("stamp") != stamp(user):
        request.session.clear()
        raise SignInRequiredError(next_url, "Your session has ended. Please sign in again.")
    return SignedIn(user.id, Staff(user.name, Role(user.role)))


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches this session's."""
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
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
