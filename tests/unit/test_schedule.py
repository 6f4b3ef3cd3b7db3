"""Weeks, schedules and the new config sections: pure logic, no database, no sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.dates.weeks import Week
from bot.errors import ConfigError, InputError
from bot.scheduler.schedules import schedules
from bot.settings.loading import load_config
from tests.conftest import write_config

LONDON = ZoneInfo("Europe/London")


# --- weeks ----------------------------------------------------------------------------------


def test_a_week_runs_between_local_midnights_across_the_clock_change():
    week = Week.parse("2026-W43", LONDON)  # the clocks go back on Sunday 25 October
    assert week.monday == date(2026, 10, 19) and week.sunday == date(2026, 10, 25)
    assert week.start == datetime(2026, 10, 18, 23, 0, tzinfo=UTC)  # 00:00 BST
    assert week.end == datetime(2026, 10, 26, 0, 0, tzinfo=UTC)  # 00:00 GMT
    sunday = week.days[-1]
    assert sunday.end - sunday.start == timedelta(hours=25)
    spring = Week.parse("2026W13", LONDON)  # the clocks go forward on Sunday 29 March
    assert spring.end - spring.start == timedelta(hours=167)


def test_the_last_complete_week_is_the_one_before():
    monday_morning = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    assert Week.last_complete(monday_morning, LONDON).label == "2026-W46"
    new_year = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    assert Week.last_complete(new_year, LONDON).label == "2026-W53"
    # 23:30 UTC on Sunday 18 October is already Monday in London (BST).
    assert Week.containing(datetime(2026, 10, 18, 23, 30, tzinfo=UTC), LONDON).label == "2026-W43"


@pytest.mark.parametrize("text", ["46", "2026-46", "W46", "2026-W60", "2025-W53"])
def test_a_bad_week_says_how_to_write_one(text):
    with pytest.raises(InputError, match=r"ISO week|has no week"):
        Week.parse(text, LONDON)


# --- schedules and cron firing, with a controllable "now" -----------------------------------


def summary_schedule(tmp_path, **schedule):
    loaded = load_config(
        write_config(tmp_path, summary={"to": ["comms@brookmere.example"]}, schedule=schedule)
    )
    return {s.job_id: s for s in schedules(loaded)}


def test_the_weekly_summary_fires_at_monday_0800_london_in_summer_and_winter(tmp_path):
    plan = summary_schedule(tmp_path)["summary"]
    # BST: 08:00 London is 07:00 UTC.
    assert plan.next_after(datetime(2026, 10, 12, 6, 59, tzinfo=UTC)) == datetime(
        2026, 10, 12, 7, 0, tzinfo=UTC
    )
    # The week the clocks go back: the following Monday 08:00 is 08:00 UTC.
    assert plan.next_after(datetime(2026, 10, 19, 7, 0, tzinfo=UTC)) == datetime(
        2026, 10, 26, 8, 0, tzinfo=UTC
    )
    # Exactly on a tick, the next one is a week on.
    tick = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    assert plan.next_after(tick) == tick + timedelta(weeks=1)


def test_missed_ticks_coalesce_into_the_latest(tmp_path):
    plans = summary_schedule(tmp_path)
    weekly = plans["summary"]
    first = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    three_weeks_later = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert weekly.latest_due(first, three_weeks_later) == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    poll = plans["poll:local"]
    tick = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert poll.latest_due(tick, tick + timedelta(seconds=150)) == tick + timedelta(seconds=120)


def test_interval_ticks_are_the_same_in_every_process(tmp_path):
    poll = summary_schedule(tmp_path)["poll:local"]  # every 60 s
    assert poll.next_after(datetime(2026, 11, 16, 8, 0, 17, tzinfo=UTC)) == datetime(
        2026, 11, 16, 8, 1, tzinfo=UTC
    )


def test_every_job_the_issue_asks_for_is_scheduled(tmp_path):
    assert list(summary_schedule(tmp_path)) == [
        "poll:local",
        "act",
        "reminders",
        "retention",
        "summary",
    ]
    loaded = load_config(write_config(tmp_path))  # no recipients: no summary job
    assert "summary" not in [s.job_id for s in schedules(loaded)]


# --- config validation: every problem names its key path ------------------------------------


@pytest.mark.parametrize(
    ("section", "value", "problem"),
    [
        ("schedule", {"summary_cron": "0 8 * *"}, "schedule.summary_cron: .*five fields"),
        ("schedule", {"summary_cron": "0 8 * * 1"}, "schedule.summary_cron: .*as a name"),
        ("schedule", {"retention_cron": "0 25 * * *"}, "schedule.retention_cron: .*not a valid"),
        ("schedule", {"timezone": "Europe/Lundun"}, "schedule.timezone: .*unknown time zone"),
        ("schedule", {"lease_seconds": 1}, "schedule.lease_seconds: "),
        ("summary", {"to": ["not an address"]}, r"summary.to.0: .*not an email address"),
        ("summary", {"colour": "blue"}, "summary.colour: unknown key"),
        ("summary", {"subject": "{week} {oops}"}, "summary.subject: .*may use only"),
        ("smtp", {"security": "tls"}, "smtp.security: "),
        ("smtp", {"password_env": "P"}, "smtp: .*both username_env and password_env"),
        ("smtp", {"port": 0}, "smtp.port: "),
    ],
)
def test_bad_settings_name_the_key(tmp_path, section, value, problem):
    with pytest.raises(ConfigError) as failure:
        load_config(write_config(tmp_path, **{section: value}))
    assert failure.value.source.endswith("config.yaml")
    assert any(__import__("re").search(problem, p) for p in failure.value.problems), (
        failure.value.problems
    )


def test_a_broken_summary_template_stops_loading(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "summary.txt.j2").write_text("{{ s.seen.now }\n")
    with pytest.raises(ConfigError, match=r"(?s)summary\.txt\.j2.*line 1"):
        load_config(write_config(tmp_path, templates={"dir": str(folder)}))
    (folder / "summary.txt.j2").write_text("{{ s.no_such_figure }}\n")
    with pytest.raises(ConfigError, match="no_such_figure"):
        load_config(write_config(tmp_path, templates={"dir": str(folder)}))
