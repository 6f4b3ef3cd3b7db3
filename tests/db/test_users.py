"""Staff accounts on SQLite and PostgreSQL: argon2 hashes only, and a lock-out kept in the
database so it holds across every web process.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.domain import Role
from bot.errors import InputError
from bot.staff.accounts import SigninLimits, add_user, authenticate, set_active, set_password
from bot.storage import models as m

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LIMITS = SigninLimits(max_failures=3, lockout=timedelta(minutes=15))
PASSWORD = "correct horse battery"


def signin(store, name: str, password: str, now: datetime = NOW):
    with store.begin() as session:
        result = authenticate(session, name=name, password=password, now=now, limits=LIMITS)
        return result.ok, result.locked_until


def test_an_account_keeps_only_an_argon2_hash_and_signs_in_by_name(store):
    with store.begin() as session:
        add_user(
            session, name=" Sunita  Rao ", role=Role.MANAGER, password=PASSWORD, by="t", now=NOW
        )
    with store.session() as session:
        user = session.scalar(sa.select(m.StaffUser))
    assert user.name == "Sunita Rao" and user.role == "manager"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert signin(store, "sunita rao", PASSWORD) == (True, None)
    assert signin(store, "Sunita Rao", "wrong password") == (False, None)
    assert signin(store, "Nobody", PASSWORD) == (False, None)


def test_names_are_unique_and_weak_passwords_refused(store):
    with store.begin() as session:
        add_user(session, name="Priya Shah", role=Role.COMMS, password=PASSWORD, by="t", now=NOW)
    with store.begin() as session, pytest.raises(InputError, match="already an account"):
        add_user(session, name="priya shah", role=Role.COMMS, password=PASSWORD, by="t", now=NOW)
    with store.begin() as session, pytest.raises(InputError, match="at least 10"):
        add_user(session, name="Dev Patel", role=Role.DIRECTOR, password="short", by="t", now=NOW)


def test_repeated_failures_lock_the_account_until_the_time_passes_or_an_admin_resets(store):
    with store.begin() as session:
        add_user(session, name="Priya Shah", role=Role.COMMS, password=PASSWORD, by="t", now=NOW)
    assert signin(store, "Priya Shah", "guess one")[0] is False
    assert signin(store, "Priya Shah", "guess two")[0] is False
    ok, until = signin(store, "Priya Shah", "guess three")
    assert not ok and until == NOW + timedelta(minutes=15)
    # Locked: even the right password is refused, and the lock is not extended.
    assert signin(store, "Priya Shah", PASSWORD, NOW + timedelta(minutes=5)) == (False, until)
    assert signin(store, "Priya Shah", PASSWORD, NOW + timedelta(minutes=16))[0] is True
    for guess in ("a wrong one", "another one", "and a third"):
        signin(store, "Priya Shah", guess, NOW + timedelta(minutes=20))
    with store.begin() as session:
        set_password(session, name="Priya Shah", password="a brand new one", by="admin", now=NOW)
    assert signin(store, "Priya Shah", "a brand new one", NOW + timedelta(minutes=21))[0] is True
    with store.session() as session:
        events = session.scalars(sa.select(m.AuditEvent.event)).all()
    assert events.count("staff_signin_locked") == 2 and "staff_password_set" in events


def test_failures_spread_out_do_not_lock(store):
    with store.begin() as session:
        add_user(session, name="Priya Shah", role=Role.COMMS, password=PASSWORD, by="t", now=NOW)
    for hours in range(5):
        assert signin(store, "Priya Shah", "typo", NOW + timedelta(hours=hours)) == (False, None)
    assert signin(store, "Priya Shah", PASSWORD, NOW + timedelta(hours=6))[0] is True


def test_a_disabled_account_cannot_sign_in(store):
    with store.begin() as session:
        add_user(session, name="Priya Shah", role=Role.COMMS, password=PASSWORD, by="t", now=NOW)
        set_active(session, name="Priya Shah", active=False, by="admin", now=NOW)
    assert signin(store, "Priya Shah", PASSWORD) == (False, None)


def test_a_locked_account_opens_to_the_right_password_on_a_known_device(store):
    with store.begin() as session:
        add_user(session, name="Priya Shah", role=Role.COMMS, password=PASSWORD, by="t", now=NOW)
        own_id = session.scalar(sa.select(m.StaffUser.id))
    for guess in ("guess one", "guess two", "guess three"):
        signin(store, "Priya Shah", guess)
    later = NOW + timedelta(minutes=1)
    with store.begin() as session:
        wrong = authenticate(
            session,
            name="Priya Shah",
            password="guess four",
            now=later,
            limits=LIMITS,
            known_devices=[own_id],
        )
        other = authenticate(
            session,
            name="Priya Shah",
            password=PASSWORD,
            now=later,
            limits=LIMITS,
            known_devices=[own_id + 1],
        )
        right = authenticate(
            session,
            name="Priya Shah",
            password=PASSWORD,
            now=later,
            limits=LIMITS,
            known_devices=[own_id],
        )
    assert not wrong.ok and not other.ok and right.ok
    assert signin(store, "Priya Shah", PASSWORD, later) == (True, None)  # the lock is lifted
