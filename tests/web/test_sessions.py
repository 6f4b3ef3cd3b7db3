"""Sessions kept on the server: ended by sign-out, time, and changes to the account, on
SQLite and PostgreSQL. A copied cookie is the attacker's view: it must open nothing once
its session has ended.
"""

from __future__ import annotations

import base64
import json

import sqlalchemy as sa
from fastapi.testclient import TestClient

from bot.domain import Role
from bot.staff.accounts import SigninLimits, authenticate, set_active, set_role
from bot.storage import models as m
from tests.web.test_signin import formal_warning


def copied(site) -> TestClient:
    """Another browser holding a copy of this one's session cookie."""
    thief = TestClient(site.client.app)
    thief.cookies.set("modbot_session", site.client.cookies["modbot_session"])
    return thief


def opens_queue(client: TestClient) -> bool:
    return client.get("/queue", follow_redirects=False).status_code == 200


def token_of(client: TestClient, path: str = "/queue") -> str:
    return client.get(path).text.split('name="csrf_token" value="')[1].split('"')[0]


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(as_manager):
    site = as_manager
    thief = copied(site)
    form_token = token_of(thief)
    assert opens_queue(thief)
    site.post("/signout", {})
    assert not opens_queue(thief) and not opens_queue(site.client)
    action = formal_warning(site.store)
    posted = thief.post(
        f"/approvals/{action.id}",
        data={"csrf_token": form_token, "decision": "approve"},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith("/signin")
    assert formal_warning(site.store).id == action.id  # still waiting
    with site.store.session() as session:
        assert session.scalar(sa.select(m.StaffSession.end_reason)) == "signed out"


def test_a_busy_session_still_ends_after_its_lifetime(as_comms, web_clock):
    for _ in range(15):  # used every half hour for seven and a half hours
        web_clock.advance(minutes=30)
        assert opens_queue(as_comms.client)
    web_clock.advance(minutes=31)  # eight hours since sign-in (web.session_hours)
    assert not opens_queue(as_comms.client)


def test_an_unused_session_ends_after_the_idle_timeout(as_comms, web_clock):
    web_clock.advance(minutes=59)
    assert opens_queue(as_comms.client)
    web_clock.advance(minutes=61)  # web.session_idle_minutes is 60
    assert not opens_queue(as_comms.client)


def test_disabling_and_enabling_again_does_not_revive_old_sessions(as_comms, web_clock):
    thief = copied(as_comms)
    with as_comms.store.begin() as session:
        set_active(session, name="Priya Shah", active=False, by="admin", now=web_clock())
    with as_comms.store.begin() as session:
        set_active(session, name="Priya Shah", active=True, by="admin", now=web_clock())
    assert not opens_queue(thief) and not opens_queue(as_comms.client)


def test_a_role_change_or_a_lock_out_ends_open_sessions(site, web_clock):
    site.sign_in("comms")
    with site.store.begin() as session:
        set_role(session, name="Priya Shah", role=Role.MANAGER, by="admin", now=web_clock())
    assert not opens_queue(site.client)
    site.sign_in("comms")
    assert opens_queue(site.client)
    limits = SigninLimits()
    for _ in range(limits.max_failures):  # someone guessing elsewhere locks the account
        with site.store.begin() as session:
            authenticate(
                session, name="Priya Shah", password="guessing!!", now=web_clock(), limits=limits
            )
    assert not opens_queue(site.client)
    with site.store.session() as session:
        reasons = session.scalars(sa.select(m.StaffSession.end_reason)).all()
    assert sorted(reasons) == ["locked", "role changed"]


def test_the_cookie_carries_only_the_session_token_and_the_database_only_its_digest(as_comms):
    as_comms.client.get("/queue")  # shows (and so drops) the one-off "Signed in" message
    value = as_comms.client.cookies["modbot_session"]
    payload = json.loads(base64.b64decode(value.split(".")[0] + "=="))
    assert set(payload) == {"sid"}
    with as_comms.store.session() as session:
        digests = session.scalars(sa.select(m.StaffSession.token_digest)).all()
    assert len(digests) == 1 and payload["sid"] not in digests
