"""Signing in to the review pages, sessions, CSRF and the limits on guessing, through the
ASGI app on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bot.cli.demo import write_demo_config
from bot.domain import ActionKind, ActionState
from bot.settings.loading import load_config
from bot.staff.accounts import set_active, set_password
from bot.storage import models as m
from bot.web.app import create_app
from tests.web.conftest import PASSWORD, SECRET, STAFF

PAGES = [
    "/queue",
    "/contacts/15",
    "/approvals",
    "/due",
    "/tasks",
    "/people",
    "/health",
    "/settings",
]


def formal_warning(store) -> m.Action:
    with store.session() as session:
        return session.scalar(
            sa.select(m.Action).where(
                m.Action.kind == ActionKind.FORMAL_WARNING,
                m.Action.state == ActionState.AWAITING_APPROVAL,
            )
        )


def test_every_page_sends_someone_not_signed_in_to_sign_in(site):
    for path in PAGES:
        answer = site.client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/signin?next={path}"
    page = site.client.get("/queue")
    assert page.url.path == "/signin" and "Sign in" in page.text
    assert 'lang="en-GB"' in page.text and 'autocomplete="current-password"' in page.text


def test_signing_in_goes_back_to_the_page_asked_for_and_signing_out_ends_it(site):
    token = site.token("/signin?next=/approvals")
    answer = site.client.post(
        "/signin",
        data={
            "csrf_token": token,
            "name": "priya  SHAH",
            "password": PASSWORD,
            "next": "/approvals",
        },
    )
    assert answer.url.path == "/approvals" and "Signed in as Priya Shah" in answer.text
    assert "Priya Shah" in answer.text and "comms officer" in answer.text
    site.post("/signout", {}, page="/queue")
    assert site.client.get("/queue", follow_redirects=False).status_code == 303


def test_a_wrong_name_and_a_wrong_password_get_the_same_answer(site):
    token = site.token()
    wrong_password = site.client.post(
        "/signin", data={"csrf_token": token, "name": "Priya Shah", "password": "not it at all"}
    )
    wrong_name = site.client.post(
        "/signin", data={"csrf_token": token, "name": "Nobody Here", "password": PASSWORD}
    )
    assert wrong_password.status_code == wrong_name.status_code == 401
    message = "That name and password do not match an account"
    assert message in wrong_password.text and message in wrong_name.text
    empty = site.client.post("/signin", data={"csrf_token": token, "name": "", "password": ""})
    assert empty.status_code == 400 and "Enter your name and your password" in empty.text


def attempt(client: TestClient, name: str, password: str):
    page = client.get("/signin")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post(
        "/signin",
        data={"csrf_token": token, "name": name, "password": password},
        follow_redirects=False,
    )


def refusal(answer) -> str:
    parts = answer.text.split('class="problem" role="alert">')
    return parts[1].split("</div>")[0] if len(parts) > 1 else ""


def test_guessing_locks_an_account_only_for_devices_it_has_not_used(site, web_clock):
    owners = create_app(site.loaded, site.store, session_secret=SECRET, clock=web_clock)
    with TestClient(owners) as owner:
        assert attempt(owner, "Priya Shah", PASSWORD).status_code == 303  # her own computer
        owner.cookies.delete("modbot_session")
        answers = [attempt(site.client, "Priya Shah", "guessing!!") for _ in range(5)]
        unknown = attempt(site.client, "Nobody Here", "guessing!!")
        # Locked, wrong and unknown all look the same: nothing says which names exist.
        assert {a.status_code for a in answers} == {unknown.status_code} == {401}
        assert refusal(answers[-1]) == refusal(unknown) != ""
        assert "locked" not in answers[-1].text
        # Elsewhere (another web process too) even the right password is refused ...
        other = create_app(site.loaded, site.store, session_secret=SECRET, clock=web_clock)
        with TestClient(other) as stranger:
            refused = attempt(stranger, "Priya Shah", PASSWORD)
            assert refused.status_code == 401 and refusal(refused) == refusal(unknown)
        # ... but on the computer she has signed in on before, she gets in.
        assert attempt(owner, "Priya Shah", PASSWORD).status_code == 303
    with site.store.session() as session:
        events = session.scalars(sa.select(m.AuditEvent.event)).all()
    assert events.count("staff_signin_locked") == 1
    web_clock.advance(minutes=16)
    assert site.sign_in("comms").status_code == 303


def test_one_address_trying_many_names_is_refused_for_a_while(site, web_clock):
    token = site.token()
    for n in range(20):
        site.client.post(
            "/signin", data={"csrf_token": token, "name": f"Person {n}", "password": "guessing!!"}
        )
    refused = site.client.post(
        "/signin", data={"csrf_token": token, "name": "Priya Shah", "password": PASSWORD}
    )
    assert refused.status_code == 429 and "from this computer" in refused.text
    web_clock.advance(minutes=16)
    assert site.sign_in("comms").status_code == 303


def test_a_known_device_behind_the_same_address_is_not_refused(site, web_clock):
    assert site.sign_in("manager").status_code == 303  # marks this browser as hers
    site.client.cookies.delete("modbot_session")
    for n in range(20):
        attempt(site.client, f"Person {n}", "guessing!!")
    assert attempt(site.client, "Sunita Rao", PASSWORD).status_code == 303
    forged = TestClient(site.client.app)
    forged.cookies.set("modbot_device", "W1sxLDIsM11d.forged.sig", path="/signin")
    for n in range(20):
        attempt(forged, f"Person {n}", "guessing!!")
    assert attempt(forged, "Sunita Rao", PASSWORD).status_code == 429


def test_forms_without_this_sessions_token_change_nothing(as_manager):
    action = formal_warning(as_manager.store)
    for data in ({}, {"csrf_token": "forged"}):
        answer = as_manager.client.post(
            f"/approvals/{action.id}", data={**data, "decision": "approve", "note": "ok"}
        )
        assert answer.status_code == 403
        assert "security token" in answer.text
        assert "Nothing was changed" in answer.text
    assert formal_warning(as_manager.store).id == action.id  # still waiting
    # The sign-in form is protected too (no signing someone in from another site).
    answer = as_manager.client.post("/signin", data={"name": "Priya Shah", "password": PASSWORD})
    assert answer.status_code == 403


def test_a_token_from_another_session_is_refused(site, web_clock):
    site.sign_in("manager")
    other = create_app(site.loaded, site.store, session_secret=SECRET, clock=web_clock)
    with TestClient(other) as client:
        theirs = client.get("/signin").text.split('name="csrf_token" value="')[1].split('"')[0]
    action = formal_warning(site.store)
    answer = site.client.post(
        f"/approvals/{action.id}", data={"csrf_token": theirs, "decision": "approve"}
    )
    assert answer.status_code == 403


def test_the_session_cookie_is_httponly_lax_and_secure_when_configured(tmp_path, site, web_clock):
    cookie = site.sign_in("comms").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    folder = tmp_path / "secure"
    path = write_demo_config(folder)
    path.write_text(path.read_text().replace("secure_cookies: false", "secure_cookies: true"))
    app = create_app(load_config(path), site.store, session_secret=SECRET, clock=web_clock)
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/signin")
        assert "secure" in page.headers["set-cookie"].lower()


def test_disabling_an_account_or_a_new_password_ends_its_sessions(site, web_clock):
    site.sign_in("comms")
    assert site.client.get("/queue").url.path == "/queue"
    with site.store.begin() as session:
        set_password(
            session, name="Priya Shah", password="another password", by="t", now=web_clock()
        )
    page = site.client.get("/queue")
    assert page.url.path == "/signin" and "Your session has ended" in page.text
    site.client.post(
        "/signin",
        data={"csrf_token": site.token(), "name": "Priya Shah", "password": "another password"},
    )
    with site.store.begin() as session:
        set_active(session, name="Priya Shah", active=False, by="t", now=web_clock())
    assert site.client.get("/queue").url.path == "/signin"


def test_without_a_session_secret_the_pages_are_closed_but_webhooks_still_work(
    tmp_path, seeded_store, monkeypatch
):
    monkeypatch.delenv("MODBOT_WEB_SECRET", raising=False)
    monkeypatch.delenv("MODBOT_WEB_SECRET_FILE", raising=False)
    app = create_app(load_config(write_demo_config(tmp_path)), seeded_store)
    with TestClient(app) as client:
        page = client.get("/queue")
        assert page.status_code == 503 and "MODBOT_WEB_SECRET" in page.text
        assert client.get("/healthz").status_code == 200
        assert client.get("/webhooks/facebook").status_code == 404  # no facebook connector


def test_a_short_or_predictable_session_secret_is_refused_with_a_clear_message(
    tmp_path, seeded_store, monkeypatch
):
    from bot.errors import ConfigError

    loaded = load_config(write_demo_config(tmp_path))
    monkeypatch.setenv("MODBOT_WEB_SECRET", "too-short")
    with pytest.raises(ConfigError, match=r"too short .* at least 32 random characters"):
        create_app(loaded, seeded_store)
    for predictable in ("a" * 32, "ab" * 20, "password" * 5, "0123456789" * 4):
        monkeypatch.setenv("MODBOT_WEB_SECRET", predictable)
        with pytest.raises(ConfigError, match="too predictable"):
            create_app(loaded, seeded_store)
    monkeypatch.setenv("MODBOT_WEB_SECRET", "c5b4hWncWiv3vCereBmhRJJj6RNUCuNmA7fkCgA0cB0")
    assert create_app(loaded, seeded_store).state.pages_open


def test_pages_carry_headers_that_keep_them_out_of_caches_and_frames(as_comms):
    page = as_comms.client.get("/queue")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert as_comms.client.get("/static/modbot.css").status_code == 200


@pytest.mark.parametrize("who", sorted(STAFF))
def test_every_page_opens_for_every_role(site, who):
    site.sign_in(who)
    name, _ = STAFF[who]
    for path in PAGES:
        page = site.client.get(path)
        assert page.status_code == 200, (who, path)
        assert name in page.text and "<h1>" in page.text
