"""The weekly summary on SQLite and PostgreSQL: its figures against a seeded register, the
email a real SMTP server receives, retries, and never sending a week twice.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from bot.dates.weeks import Week
from bot.errors import ConfigError, InputError
from bot.settings.loading import LoadedConfig, load_config
from bot.storage import models as m
from bot.storage.session import Store
from bot.summary.figures import build_summary
from bot.summary.mailer import Mailer, SendError
from bot.summary.model import Trend
from bot.summary.render import build_message
from bot.summary.weekly import send_summary, summary_options, templates_for
from tests.conftest import write_config
from tests.seed import LONDON, LONG_TEXT, NOW, TENANT_NAME, seed_week
from tests.smtp import smtp_server

WEEK = Week(2026, 43, LONDON)


def configure(tmp_path: Path, port: int = 2525, **smtp: object) -> LoadedConfig:
    return load_config(
        write_config(
            tmp_path,
            summary={"to": ["comms@brookmere.example", "Sunita Rao <sunita@brookmere.example>"]},
            smtp={
                "host": "127.0.0.1",
                "port": port,
                "security": "none",
                "max_attempts": 3,
                "retry_delay_seconds": 10,
                **smtp,
            },
        )
    )


@pytest.fixture
def seeded(store: Store) -> Store:
    with store.begin() as session:
        seed_week(session)
    return store


class Waits:
    """Stands in for sleeping between attempts: records each wait, never sleeps."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return False


# --- the figures ----------------------------------------------------------------------------


def test_figures_match_the_seeded_register(tmp_path, seeded):
    loaded = configure(tmp_path)
    with seeded.session() as session:
        s = build_summary(session, WEEK, now=NOW, options=summary_options(loaded))
    # The week is Monday 00:00 BST to Monday 00:00 GMT: 169 hours, the clocks went back.
    assert (WEEK.end - WEEK.start) == timedelta(hours=169)
    assert s.seen == Trend(10, (4, 6, 8, 6))
    assert s.acted == Trend(6, (2, 2, 4, 0))
    assert s.share_acted == pytest.approx(0.6)
    assert {c.key: c.acted for c in s.categories} == {
        "abuse": Trend(2, (2, 2, 4, 0)),
        "profanity": Trend(2, (0, 0, 0, 0)),
        "threat": Trend(1, (0, 0, 0, 0)),
        "harassment": Trend(1, (0, 0, 0, 0)),
        "behaviour": Trend(1, (0, 0, 0, 0)),
    }
    assert {(p.platform, p.seen.now, p.acted.now, p.seen.average) for p in s.platforms} == {
        ("facebook", 6, 4, 6.0),
        ("x", 2, 1, 0.0),
        ("reddit", 2, 1, 0.0),
    }
    actions = {a.kind: (a.done, a.waiting, a.to_staff, a.failed, a.withdrawn) for a in s.actions}
    assert actions == {
        "hide": (4, 0, 0, 1, 0),
        "private_warning": (1, 0, 0, 0, 0),
        "police_referral_decision": (0, 0, 1, 0, 0),
        "restriction": (0, 1, 0, 0, 0),
        "formal_warning": (0, 1, 0, 0, 0),
        "assessment": (0, 0, 1, 0, 0),
    }
    assert s.days[0] == date(2026, 10, 19) and s.days[-1] == date(2026, 10, 25)
    assert s.daily == {
        "profanity": (0, 1, 0, 0, 0, 0, 1),
        "abuse": (1, 0, 0, 0, 1, 0, 0),
        "threat": (0, 0, 1, 0, 0, 0, 0),
        "harassment": (0, 0, 0, 0, 1, 0, 0),
        "behaviour": (0, 0, 0, 0, 0, 0, 1),
    }
    assert s.approvals.total == 3
    assert [(a.kind, a.who) for a in s.approvals.rows] == [
        ("restriction", "reddit_user (Reddit)"),
        ("formal warning", "T-100"),
        ("block", "x_user (X)"),
    ]
    assert s.reviews.total == 2 and [r.overdue for r in s.reviews.rows] == [True, False]
    assert {r.who for r in s.reviews.rows} == {"T-100"}
    assert s.appeals.total == 2 and [a.overdue for a in s.appeals.rows] == [True, False]
    assert s.appeals_decided == {"upheld": 1}
    assert {(t.label, t.role, t.count) for t in s.tasks} == {
        ("Complaints to route to the right team", "comms", 2),
        ("Reports to make on the platform", "comms", 1),
        ("Threats: decide on a police referral", "manager", 1),
        ("Unacceptable Behaviour Assessments to complete", "manager", 1),
    }
    assert s.tasks_total == 5
    assert s.reversals.total == 1
    (reversal,) = s.reversals.rows
    assert reversal.categories == "Abuse" and reversal.reversed_by == "Dawn Pritchard"
    assert reversal.excerpt.endswith("…") and len(reversal.excerpt) <= 81
    assert s.reversed_by_category == {"abuse": 1}
    assert [(c.name, c.configured, c.failing) for c in s.connectors] == [
        ("local", True, False),
        ("old", False, True),
    ]


def test_the_summary_is_asked_of_the_database_as_aggregates(tmp_path, seeded):
    """Counting happens in SQL: no statement returns more rows than a section shows."""
    loaded = configure(tmp_path)
    returned: list[int] = []

    def count_rows(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and cursor.description:
            returned.append(cursor.rowcount)

    sa.event.listen(seeded.engine, "after_cursor_execute", count_rows)
    try:
        with seeded.session() as session:
            build_summary(session, WEEK, now=NOW, options=summary_options(loaded))
    finally:
        sa.event.remove(seeded.engine, "after_cursor_execute", count_rows)
    assert len(returned) <= 20  # a fixed number of queries, whatever the history holds
    with seeded.session() as session:
        contacts = session.scalar(sa.select(sa.func.count()).select_from(m.Contact))
    assert contacts > 30
    # rowcount is -1 for SELECTs on some drivers; where known, no query returned every contact
    assert all(n < contacts for n in returned if n >= 0)


# --- the email, through a real SMTP server --------------------------------------------------


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.sources.append(attrs["src"])
        if tag in {"link", "script"}:
            self.links.append(tag)


def test_the_email_arrives_with_text_html_and_an_inline_chart(tmp_path, seeded):
    with smtp_server() as (mailbox, port):
        loaded = configure(tmp_path, port)
        outcome = send_summary(loaded, seeded, WEEK, now=NOW, mailer=Mailer(loaded.settings.smtp))
    assert outcome.sent and outcome.attempts == 1
    (envelope,) = mailbox.received
    assert sorted(envelope.rcpt_tos) == ["comms@brookmere.example", "sunita@brookmere.example"]
    (message,) = mailbox.messages()
    assert message["Subject"] == "Brookmere Housing: moderation summary for 2026-W43"
    assert message.get_content_type() == "multipart/alternative"
    text_part, related = message.get_payload()
    assert text_part.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image.get_content_disposition() == "inline"

    # The chart is a real PNG, referenced from the HTML by its Content-ID.
    png = image.get_payload(decode=True)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as picture:
        picture.verify()
        assert picture.size == (640, 300)
    html = html_part.get_content()
    parsed = _Images()
    parsed.feed(html)
    assert parsed.sources == [f"cid:{image['Content-ID'].strip('<>')}"]
    assert parsed.links == []  # no external stylesheets or scripts
    assert "http://" not in html and "https://" not in html

    text = text_part.get_content().replace("\r\n", "\n")
    for line in (
        "Contacts seen: 10 (4-week average 6, +67%)",
        "Acted on: 6, 60% of contacts seen (4-week average 2, +200%)",
        "  - Abuse: 2 (average 2, no change)",
        "  - Profanity: 2 (average 0, new)",
        "  - Threats: 1 (average 0, new)",
        "  - Harassment of staff: 1 (average 0, new)",
        "  - Behaviour (contact patterns): 1 (average 0, new)",
        "  - Facebook: 6 seen, 4 acted on (average 6 seen, no change)",
        "  - Hide: 5 (4 done, 0 waiting, 0 to staff, 1 failed, 0 withdrawn)",
        "WAITING FOR APPROVAL: 3",
        ": restriction for reddit_user (Reddit), needs a manager, waiting since Wed 21 Oct",
        "RESTRICTION REVIEWS DUE IN THE NEXT 14 DAYS: 2",
        "APPEALS OPEN: 2",
        "  Decided this week: upheld 1",
        "MANUAL TASKS OUTSTANDING: 5",
        "  - Reports to make on the platform (for comms): 1, oldest Tue 20 Oct 2026",
        "DECISIONS STAFF REVERSED THIS WEEK: 1",
        "  By category (to tune thresholds): Abuse 1",
        "  - local: last successful poll 5 min ago, cursor moved 2 h ago",
    ):
        assert line in text, line
    assert "(OVERDUE)" in text
    assert "old (no longer configured)" in text and "FAILING since" in text
    for part in (text, html):
        assert "Mon 19 Oct 2026 to Sun 25 Oct 2026" in part
        assert "T-100" in part  # people by tenancy reference ...
        assert "x_user (X)" in part  # ... or account handle
        assert TENANT_NAME not in part  # never by name
        assert LONG_TEXT not in part  # contact text only as a short excerpt
        assert LONG_TEXT[:40] in part
    with seeded.session() as session:
        sent = session.get(m.SummarySend, "2026-W43")
        assert (sent.state, sent.attempts, sent.recipients) == ("sent", 1, 2)
        assert sent.message_id == message["Message-ID"].strip()
        events = session.scalars(
            sa.select(m.AuditEvent.event).where(m.AuditEvent.subject_type == "summary")
        ).all()
    assert events == ["summary_sent"]


def test_the_scheduler_never_sends_a_week_twice(tmp_path, seeded):
    with smtp_server() as (mailbox, port):
        loaded = configure(tmp_path, port)
        mailer = Mailer(loaded.settings.smtp)
        assert send_summary(loaded, seeded, WEEK, now=NOW, mailer=mailer).sent
        again = send_summary(loaded, seeded, WEEK, now=NOW, mailer=mailer)
        assert not again.sent and "already sent" in again.detail
        # Staff are told, and may resend on purpose.
        with pytest.raises(InputError, match="--again"):
            send_summary(loaded, seeded, WEEK, now=NOW, mailer=mailer, by="staff")
        assert send_summary(loaded, seeded, WEEK, now=NOW, mailer=mailer, by="staff", again=True)
    assert len(mailbox.received) == 2


def test_a_send_interrupted_mid_way_is_not_resent_blindly(tmp_path, seeded):
    with seeded.begin() as session:
        session.add(m.SummarySend(week="2026-W43", state="sending", started_at=NOW, sent_by="x"))
    with smtp_server() as (mailbox, port):
        loaded = configure(tmp_path, port)
        outcome = send_summary(loaded, seeded, WEEK, now=NOW, mailer=Mailer(loaded.settings.smtp))
        assert not outcome.sent and "sending" in outcome.detail
        with pytest.raises(InputError, match="never finished"):
            send_summary(
                loaded, seeded, WEEK, now=NOW, mailer=Mailer(loaded.settings.smtp), by="staff"
            )
    assert mailbox.received == []


def test_a_temporary_failure_is_retried_with_backoff_then_sent(tmp_path, store):
    waits = Waits()
    with smtp_server() as (mailbox, port):
        mailbox.fail_data = ["451 4.3.0 Mail server temporarily busy", "421 4.4.2 Timeout"]
        loaded = configure(tmp_path, port)
        outcome = send_summary(
            loaded, store, WEEK, now=NOW, mailer=Mailer(loaded.settings.smtp, wait=waits)
        )
    assert outcome.sent and outcome.attempts == 3
    assert waits.waits == [10, 20]  # the delay doubles; nothing actually slept
    assert mailbox.data_attempts == 3 and len(mailbox.received) == 1
    with store.session() as session:
        assert session.get(m.SummarySend, "2026-W43").state == "sent"


def test_a_permanent_failure_is_reported_at_once_and_not_marked_sent(tmp_path, store):
    waits = Waits()
    with smtp_server() as (mailbox, port):
        mailbox.refuse_rcpt = "550 5.1.1 No such mailbox"
        loaded = configure(tmp_path, port)
        with pytest.raises(SendError, match=r"550 5\.1\.1 No such mailbox") as failure:
            send_summary(
                loaded, store, WEEK, now=NOW, mailer=Mailer(loaded.settings.smtp, wait=waits)
            )
    assert failure.value.permanent and failure.value.attempts == 1
    assert waits.waits == []  # not retried: it would fail the same way
    assert mailbox.received == []
    with store.session() as session:
        record = session.get(m.SummarySend, "2026-W43")
        assert record.state == "failed" and "550" in record.last_error
        event = session.scalar(
            sa.select(m.AuditEvent).where(m.AuditEvent.event == "summary_failed")
        )
        assert event.detail["week"] == "2026-W43"


def test_failing_every_attempt_gives_up_bounded_and_a_later_send_can_succeed(tmp_path, store):
    waits = Waits()
    with smtp_server() as (mailbox, port):
        mailbox.fail_data = ["451 4.3.0 busy"] * 3
        loaded = configure(tmp_path, port)
        mailer = Mailer(loaded.settings.smtp, wait=waits)
        with pytest.raises(SendError, match="gave up after 3 attempts") as failure:
            send_summary(loaded, store, WEEK, now=NOW, mailer=mailer)
        assert not failure.value.permanent
        assert waits.waits == [10, 20]
        with store.session() as session:
            assert session.get(m.SummarySend, "2026-W43").state == "failed"
        # A failed week is not "sent": the next attempt sends it.
        assert send_summary(loaded, store, WEEK, now=NOW, mailer=mailer).sent
    assert len(mailbox.received) == 1


def test_a_missing_smtp_password_names_the_variable(tmp_path, store, monkeypatch):
    monkeypatch.delenv("BROOKMERE_SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("BROOKMERE_SMTP_USER", "modbot")
    loaded = configure(
        tmp_path, username_env="BROOKMERE_SMTP_USER", password_env="BROOKMERE_SMTP_PASSWORD"
    )
    with pytest.raises(ConfigError) as failure:
        send_summary(loaded, store, WEEK, now=NOW, mailer=Mailer(loaded.settings.smtp))
    message = str(failure.value)
    assert "smtp.password_env" in message and "BROOKMERE_SMTP_PASSWORD is not set" in message
    with store.session() as session:
        record = session.get(m.SummarySend, "2026-W43")
        assert record.state == "failed" and "BROOKMERE_SMTP_PASSWORD" in record.last_error


def test_nobody_to_send_to_is_a_clear_error(tmp_path, store):
    loaded = load_config(write_config(tmp_path))
    with pytest.raises(InputError, match=r"summary\.to is empty"):
        send_summary(loaded, store, WEEK, now=NOW, mailer=Mailer(loaded.settings.smtp))


def test_the_message_renders_an_empty_week(tmp_path, store):
    loaded = configure(tmp_path)
    with store.session() as session:
        s = build_summary(session, WEEK, now=NOW, options=summary_options(loaded))
    assert s.seen == Trend(0, (0, 0, 0, 0)) and s.share_acted is None
    message = build_message(s, b"\x89PNG", loaded.settings, templates_for(loaded))
    text = message.get_body(("plain",)).get_content()
    assert "Contacts seen: 0 (4-week average 0, no change)" in text
    assert "  - local: last successful poll never, cursor moved never" in text
