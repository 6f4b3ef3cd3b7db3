"""A contact's page shows what was attached, and an edited contact says which version it is."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa

from bot.pipeline import PassReport, Pipeline
from bot.storage import models as m
from platforms.base import AccountRef, Attachment, Contact, ContactKind

PHOTO = "https://scontent.xx.fbcdn.net/v/t39.30808-6/boiler.jpg"


def test_the_contact_page_shows_the_photo_and_that_the_bot_cannot_read_it(as_comms, web_clock):
    pipeline = Pipeline(as_comms.loaded, as_comms.store, clock=web_clock)
    contact = Contact(
        connector="page",
        platform="facebook",
        external_id="555_photo_1",
        account=AccountRef("facebook", "9001", "A Visitor"),
        kind=ContactKind.COMMENT,
        text="",
        created_at=web_clock() - timedelta(hours=1),
        permalink="https://www.facebook.com/555_photo_1",
        attachments=(Attachment("photo", PHOTO, "A broken boiler"),),
    )
    try:
        pipeline.store_contacts("page", [contact])
        pipeline.decide_pending(PassReport())
    finally:
        pipeline.close()
    with as_comms.store.session() as session:
        stored = session.scalar(sa.select(m.Contact).where(m.Contact.external_id == "555_photo_1"))
    page = as_comms.client.get(f"/contacts/{stored.id}")
    assert page.status_code == 200
    assert "needs review" in page.text and "the bot cannot read this" in page.text
    assert "“A broken boiler”" in page.text and f'href="{PHOTO}"' in page.text
    tasks = as_comms.client.get("/tasks")
    assert "the bot cannot read pictures or video" in tasks.text


def test_an_edited_contact_lists_its_versions(as_comms, web_clock):
    pipeline = Pipeline(as_comms.loaded, as_comms.store, clock=web_clock)
    first = Contact(
        connector="page",
        platform="facebook",
        external_id="555_edit_1",
        account=AccountRef("facebook", "9002", "A Tenant"),
        kind=ContactKind.COMMENT,
        text="Thanks for fixing the boiler so quickly",
        created_at=web_clock() - timedelta(hours=2),
    )
    try:
        pipeline.store_contacts("page", [first])
        pipeline.store_contacts("page", [replace(first, text="I will hurt you for this")])
        pipeline.decide_pending(PassReport())
    finally:
        pipeline.close()
    with as_comms.store.session() as session:
        ids = list(
            session.scalars(
                sa.select(m.Contact.id)
                .where(m.Contact.external_id == "555_edit_1")
                .order_by(m.Contact.version)
            )
        )
    assert len(ids) == 2
    page = as_comms.client.get(f"/contacts/{ids[1]}")
    assert "version 2 (edited)" in page.text and "<h2>Versions</h2>" in page.text
    assert f'href="/contacts/{ids[0]}">Version 1</a> (acceptable)' in page.text
