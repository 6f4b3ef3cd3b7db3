"""Identify: accounts to tenancies, carefully, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bot.errors import InputError
from bot.identify.accounts import identify, upsert_accounts
from bot.identify.links import add_link
from bot.identify.tenancies import import_tenancies
from bot.storage import models as m
from bot.storage.session import Store
from platforms.base import AccountRef

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def tenancies(store: Store, tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text(
        "tenancy_ref,name,social_handles,vulnerability_notes\n"
        "T-1,Ann Lee,facebook:ann.lee; x:@annlee,\n"
        "T-2,Bob Ray,facebook:shared.family,Needs large print\n"
        "T-3,Cat Ray,facebook:shared.family,\n"
    )
    with store.begin() as session:
        import_tenancies(session, csv, actor="test", now=NOW)
    return csv


def resolve(store: Store, *refs: AccountRef):
    with store.begin() as session:
        accounts = upsert_accounts(session, refs, NOW)
        identities = identify(session, accounts.values(), NOW)
        return {a.handle: identities[a.id] for a in accounts.values()}


def test_a_handle_on_one_tenancy_is_verified_automatically(store, tenancies):
    found = resolve(store, AccountRef("facebook", "1", "Ann.Lee"), AccountRef("x", "2", "@AnnLee"))
    assert found["Ann.Lee"].tenancy_ref == "T-1" and found["@AnnLee"].tenancy_ref == "T-1"
    with store.session() as session:
        links = session.scalars(sa.select(m.AccountLink)).all()
        assert {(link.state.value, link.made_by) for link in links} == {("verified", "modbot")}
        assert {link.method for link in links} == {"handle on tenancy record"}


def test_a_handle_on_two_tenancies_identifies_nobody(store, tenancies):
    found = resolve(store, AccountRef("facebook", "3", "shared.family"))
    assert not found["shared.family"].identified
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(m.AccountLink)) == 0


def test_a_suspected_link_never_identifies(store, tenancies):
    with store.begin() as session:
        account = upsert_accounts(session, [AccountRef("reddit", "9", "mystery")], NOW)
        tenancy = session.scalar(
            sa.select(m.TenancyRecord).where(m.TenancyRecord.tenancy_ref == "T-1")
        )
        session.add(
            m.AccountLink(
                account_id=account[("reddit", "9")].id,
                tenancy_id=tenancy.id,
                state=m.LinkState.SUSPECTED,
                method="same display name",
                made_by="modbot",
            )
        )
    assert not resolve(store, AccountRef("reddit", "9", "mystery"))["mystery"].identified


def test_staff_confirmation_needs_a_name_and_a_note_and_then_identifies(store, tenancies):
    with store.begin() as session, pytest.raises(InputError, match="name and a note"):
        add_link(
            session,
            platform="reddit",
            platform_user_id="7",
            handle="bob_r",
            tenancy_ref="T-2",
            state=m.LinkState.STAFF_CONFIRMED,
            made_by="Priya Shah",
            note="",
            now=NOW,
        )
    with store.begin() as session, pytest.raises(InputError, match="no tenancy record"):
        add_link(
            session,
            platform="reddit",
            platform_user_id="7",
            handle="bob_r",
            tenancy_ref="T-99",
            state=m.LinkState.STAFF_CONFIRMED,
            made_by="Priya",
            note="phoned",
            now=NOW,
        )
    with store.begin() as session:
        add_link(
            session,
            platform="reddit",
            platform_user_id="7",
            handle="bob_r",
            tenancy_ref="T-2",
            state=m.LinkState.STAFF_CONFIRMED,
            made_by="Priya Shah",
            note="Confirmed by phone",
            now=NOW,
        )
    found = resolve(store, AccountRef("reddit", "7", "bob_r"))["bob_r"]
    assert found.tenancy_ref == "T-2" and found.vulnerability == "Needs large print"


def test_reimport_updates_in_place(store, tenancies):
    tenancies.write_text("tenancy_ref,name,social_handles\nT-1,Ann Lee-Smith,x:@annlee\n")
    with store.begin() as session:
        report = import_tenancies(session, tenancies, actor="test", now=NOW)
    assert (report.created, report.updated) == (0, 1)
    with store.session() as session:
        ann = session.scalar(sa.select(m.TenancyRecord).where(m.TenancyRecord.tenancy_ref == "T-1"))
        assert ann.name == "Ann Lee-Smith"
        assert [(h.platform, h.handle) for h in ann.handles] == [("x", "annlee")]
        assert session.scalar(sa.select(sa.func.count()).select_from(m.TenancyRecord)) == 3
