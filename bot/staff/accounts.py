"""Staff accounts for the review pages: who may sign in, in which role, and the lock-out.

A member of staff signs in with the name the register records for them (so a decision
made in the browser carries the same name as one made with `--by NAME` on the command
line) and a password kept only as an argon2 hash. Failed sign-ins are counted on the
account in the database, so a lock-out holds however many web processes are running — but
not against the owner on a device the account has signed in on before; the web layer adds
a second, per-address limit of its own.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.domain import Role
from bot.errors import InputError, PermissionRefusedError
from bot.staff.roles import Staff
from bot.staff.sessions import end_sessions
from bot.storage.models import StaffUser

log = structlog.get_logger(__name__)

MIN_PASSWORD = 10


def fold_login(name: str) -> str:
    """The form of a name that sign-in compares: case and spacing ignored."""
    return " ".join(name.lower().split())


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    # Checked against when the name is unknown, so an unknown name takes as long to refuse
    # as a wrong password and the timing does not tell which names exist.
    return _hasher().hash("modbot: no such account")


def check_new_password(name: str, password: str) -> None:
    """Refuse a password that is too easy to guess.

    Raises:
        InputError: saying what is wrong with it.
    """
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must be at least {MIN_PASSWORD} characters long")
    if fold_login(password) == fold_login(name) or password.strip() != password:
        raise InputError("the password must not be your name or start or end with a space")


def find_user(session: Session, name: str, *, lock: bool = False) -> StaffUser | None:
    """The account with this name (case and spacing ignored), if there is one."""
    query = sa.select(StaffUser).where(StaffUser.login == fold_login(name))
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def add_user(
    session: Session, *, name: str, role: Role, password: str, by: str, now: datetime
) -> StaffUser:
    """Create a staff account.

    Raises:
        InputError: no name, the name is taken, or the password is too weak.
    """
    name = " ".join(name.split())
    if not name:
        raise InputError("give the person's name, as the register should record it")
    if find_user(session, name) is not None:
        raise InputError(f"there is already an account called {name}")
    check_new_password(name, password)
    user = StaffUser(
        name=name,
        login=fold_login(name),
        role=role.value,
        password_hash=_hasher().hash(password),
        active=True,
        created_at=now,
        password_changed_at=now,
        failed_signins=0,
    )
    session.add(user)
    session.flush()
    audit(
        session,
        actor=by,
        event="staff_account_added",
        subject_type="staff_user",
        subject_id=user.id,
        at=now,
        role=role.value,
    )
    return user


def _existing(session: Session, name: str) -> StaffUser:
    user = find_user(session, name, lock=True)
    if user is None:
        raise InputError(f"there is no account called {name}; see `modbot users list`")
    return user


def set_password(session: Session, *, name: str, password: str, by: str, now: datetime) -> None:
    """Give an account a new password; this also lifts a lock-out and signs it out everywhere.

    Raises:
        InputError: unknown account, or the password is too weak.
    """
    user = _existing(session, name)
    check_new_password(user.name, password)
    user.password_hash = _hasher().hash(password)
    user.password_changed_at = now
    user.failed_signins = 0
    user.locked_until = None
    end_sessions(session, user_id=user.id, now=now, reason="password changed")
    audit(
        session,
        actor=by,
        event="staff_password_set",
        subject_type="staff_user",
        subject_id=user.id,
        at=now,
    )


def set_role(session: Session, *, name: str, role: Role, by: str, now: datetime) -> None:
    """Change the role an account acts in (it is signed out everywhere).

    Raises:
        InputError: unknown account.
    """
    user = _existing(session, name)
    previous = user.role
    user.role = role.value
    end_sessions(session, user_id=user.id, now=now, reason="role changed")
    audit(
        session,
        actor=by,
        event="staff_role_changed",
        subject_type="staff_user",
        subject_id=user.id,
        at=now,
        previous=previous,
        role=role.value,
    )


def set_active(session: Session, *, name: str, active: bool, by: str, now: datetime) -> None:
    """Disable an account (its sessions end at once) or enable it again.

    Raises:
        InputError: unknown account.
    """
    user = _existing(session, name)
    user.active = active
    user.failed_signins = 0
    user.locked_until = None
    end_sessions(session, user_id=user.id, now=now, reason="enabled" if active else "disabled")
    audit(
        session,
        actor=by,
        event="staff_account_enabled" if active else "staff_account_disabled",
        subject_type="staff_user",
        subject_id=user.id,
        at=now,
    )


def list_users(session: Session) -> list[StaffUser]:
    """Every account, by name."""
    return list(session.scalars(sa.select(StaffUser).order_by(StaffUser.login)))


@dataclass(frozen=True)
class SigninLimits:
    """How many failed sign-ins an account may have before it is locked, and for how long."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class SigninResult:
    """What a sign-in attempt came to: the account, or why not."""

    user: StaffUser | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        """Whether the name and password matched an active, unlocked account."""
        return self.user is not None


def authenticate(
    session: Session,
    *,
    name: str,
    password: str,
    now: datetime,
    limits: SigninLimits,
    known_devices: Collection[int] = (),
) -> SigninResult:
    """Check a name and password, counting failures on the account (the caller commits).

    A locked account is refused without looking at the password, so guessing on does not
    help — except from a device the account has signed in on before (its id is in
    `known_devices`): there the right password still works, so someone guessing elsewhere
    cannot lock the owner out. The lock lifts by itself after `limits.lockout`, or when an
    admin sets a new password.
    """
    user = find_user(session, name, lock=True)
    if user is None or not user.active:
        _verify(_dummy_hash(), password)
        return SigninResult()
    locked = user.locked_until is not None and user.locked_until > now
    if locked and user.id not in known_devices:
        _verify(_dummy_hash(), password)  # the same time as any other refusal
        return SigninResult(locked_until=user.locked_until)
    if not _verify(user.password_hash, password):
        recent = user.last_failed_at is not None and user.last_failed_at > now - limits.lockout
        user.failed_signins = (user.failed_signins if recent else 0) + 1
        user.last_failed_at = now
        if locked:
            return SigninResult(locked_until=user.locked_until)
        if user.failed_signins >= limits.max_failures:
            user.locked_until = now + limits.lockout
            user.failed_signins = 0
            end_sessions(session, user_id=user.id, now=now, reason="locked")
            log.warning("signin_locked", staff_user=user.id)
            audit(
                session,
                actor="modbot",
                event="staff_signin_locked",
                subject_type="staff_user",
                subject_id=user.id,
                at=now,
                until=user.locked_until.isoformat(),
            )
            return SigninResult(locked_until=user.locked_until)
        return SigninResult()
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    user.failed_signins = 0
    user.locked_until = None
    user.last_signin_at = now
    return SigninResult(user=user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def acting_staff(session: Session, name: str) -> Staff:
    """The member of staff a command-line step names: an existing, enabled account.

    Their role is the account's, never what was typed, and the register records the
    account's own name.

    Raises:
        InputError: no such account.
        PermissionRefusedError: the account is disabled.
    """
    user = find_user(session, name)
    if user is None:
        raise InputError(
            f"there is no staff account called {' '.join(name.split())}: staff steps are "
            "recorded against an account (see `modbot users list`; add one with "
            "`modbot users add NAME --role ROLE`)"
        )
    if not user.active:
        raise PermissionRefusedError(f"{user.name}'s staff account is disabled")
    return Staff(user.name, Role(user.role), user.id)
