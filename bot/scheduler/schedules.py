"""When each timed job runs, as APScheduler triggers built from the config.

Interval triggers are anchored to one fixed instant, so every process computes the same
ticks (12:00:00, 12:01:00, ... for a 60-second poll) and a tick means the same thing to all
of them; that is what lets the job table hand each tick to exactly one run. Cron triggers
are read in the configured time zone (Europe/London by default), so "Monday 08:00" stays
08:00 across the clock changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.settings.loading import LoadedConfig

ANCHOR = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday, midnight UTC: every interval's origin
MAX_CATCH_UP = 100_000

POLL, ACT, REMINDERS, RETENTION, SUMMARY = "poll", "act", "reminders", "retention", "summary"


@dataclass(frozen=True)
class Schedule:
    """One job's identity, trigger and a description for `modbot status`."""

    job_id: str
    trigger: BaseTrigger
    describe: str

    def next_after(self, moment: datetime) -> datetime:
        """The first tick strictly after `moment`."""
        fire = self.trigger.get_next_fire_time(None, moment + timedelta(microseconds=1))
        if fire is None:  # our triggers never end; be explicit rather than loop forever
            raise RuntimeError(f"job {self.job_id} has no further ticks")
        return fire.astimezone(UTC)

    def latest_due(self, due: datetime, now: datetime) -> datetime:
        """The most recent tick at or before `now`, starting from the tick `due`.

        Missed ticks (the service was down, or no process led for a while) coalesce into
        one run for the latest of them.
        """
        tick = due
        for _ in range(MAX_CATCH_UP):
            following = self.trigger.get_next_fire_time(tick, now)
            if following is None or following > now:
                return tick.astimezone(UTC)
            tick = following
        return tick.astimezone(UTC)


def interval(seconds: int) -> IntervalTrigger:
    """An interval trigger whose ticks are the same in every process."""
    return IntervalTrigger(seconds=seconds, start_date=ANCHOR, timezone=UTC)


def schedules(loaded: LoadedConfig) -> list[Schedule]:
    """Every timed job the config asks for, in a stable order."""
    settings = loaded.settings
    plan = settings.schedule
    zone = plan.timezone
    jobs = [
        Schedule(
            f"{POLL}:{name}",
            interval(connector.poll_interval_seconds),
            f"every {connector.poll_interval_seconds} s",
        )
        for name, connector in settings.connectors.items()
    ]
    jobs.append(
        Schedule(ACT, interval(plan.act_every_seconds), f"every {plan.act_every_seconds} s")
    )
    jobs.append(
        Schedule(REMINDERS, plan.cron(plan.reminders_cron), f"cron {plan.reminders_cron} ({zone})")
    )
    jobs.append(
        Schedule(RETENTION, plan.cron(plan.retention_cron), f"cron {plan.retention_cron} ({zone})")
    )
    if settings.summary.to:
        jobs.append(
            Schedule(SUMMARY, plan.cron(plan.summary_cron), f"cron {plan.summary_cron} ({zone})")
        )
    return jobs
