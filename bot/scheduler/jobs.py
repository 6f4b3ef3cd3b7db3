"""What each timed job does, given the tick it runs for.

Each job is a short call into code the CLI also uses (a pass, the runner, the reminders with
the policy's lapse and decay rules, the retention purge, the weekly summary), so the service
adds timing and leadership, not new behaviour. A job returns a one-line result for `modbot
status`, or raises `JobFailed` when it ran but something needs attention (a connector that
could not be polled).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.act.runner import RunReport
from bot.dates.clock import Clock
from bot.dates.weeks import Week
from bot.errors import BotError
from bot.pipeline import PassReport, Pipeline
from bot.privacy.retention import purge
from bot.register.decay import apply_decay
from bot.register.reminders import send_reminders
from bot.scheduler.schedules import ACT, POLL, REMINDERS, RETENTION, SUMMARY, Schedule, schedules
from bot.settings.loading import LoadedConfig
from bot.settings.saved import apply_saved_settings
from bot.storage.session import Store
from bot.summary.mailer import Mailer
from bot.summary.weekly import send_summary


class JobFailed(BotError):
    """A job ran but reports a problem someone should look at."""


@dataclass(frozen=True)
class Job:
    """A schedule and what to do at each of its ticks."""

    schedule: Schedule
    run: Callable[[datetime], str]

    @property
    def job_id(self) -> str:
        """The job's name, e.g. "poll:facebook" or "summary"."""
        return self.schedule.job_id


def _run_text(run: RunReport) -> str:
    text = f"actions done {run.done}, failed {run.failed}, to staff {run.manual}"
    if run.recovered:
        text += f", recovered {run.recovered}"
    if run.errors:
        text += "; paused: " + "; ".join(run.errors)
    return text


def _pass_text(report: PassReport) -> str:
    fetched = sum(report.fetched.values())
    text = f"fetched {fetched}, stored {report.stored}, decided {report.decided}; " + _run_text(
        report.run
    )
    return text + (" (stopped early for shutdown)" if report.stopped else "")


def build_jobs(
    loaded: LoadedConfig,
    store: Store,
    pipeline: Pipeline,
    *,
    clock: Clock,
    mailer: Mailer,
) -> list[Job]:
    """Every job the config schedules, bound to this process's pipeline and mailer."""
    settings = loaded.settings

    def poll(name: str) -> Callable[[datetime], str]:
        def run(_tick: datetime) -> str:
            report = pipeline.run_once(only=[name])
            text = _pass_text(report)
            if report.errors:
                raise JobFailed(f"{text}; " + "; ".join(report.errors))
            return text

        return run

    def act(_tick: datetime) -> str:
        report = pipeline.runner.run()
        return _run_text(report) + (" (stopped early for shutdown)" if report.stopped else "")

    def reminders(_tick: datetime) -> str:
        with store.begin() as session:  # first what has lapsed, then what falls due
            decay = apply_decay(session, profile=loaded.profile, now=clock())
            report = send_reminders(
                session,
                profile=loaded.profile,
                now=clock(),
                days_ahead=settings.schedule.reminder_days,
            )
        return f"{report}; {decay}"

    def retention(_tick: datetime) -> str:
        with store.begin() as session:
            report = purge(
                session,
                now=clock(),
                contact_text_days=settings.retention.contact_text_days,
                alias_log_days=settings.retention.alias_log_days,
                profile=loaded.profile,
            )
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report.as_dict().items())

    def summary(tick: datetime) -> str:
        week = Week.last_complete(tick, settings.schedule.zone())
        in_force = apply_saved_settings(loaded, store)  # thresholds saved in the review pages
        return send_summary(in_force, store, week, now=clock(), mailer=mailer).detail

    bodies: dict[str, Callable[[datetime], str]] = {
        ACT: act,
        REMINDERS: reminders,
        RETENTION: retention,
        SUMMARY: summary,
    }
    jobs = []
    for plan in schedules(loaded):
        kind, _, name = plan.job_id.partition(":")
        jobs.append(Job(plan, poll(name) if kind == POLL else bodies[kind]))
    return jobs
