"""Producing and sending one week's summary: figures, chart, email, SMTP, the send record.

Used by the scheduler's weekly job (which never sends a week twice) and by
`modbot summary` (which previews, or sends on request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog

from bot.audit import BOT, audit
from bot.dates.weeks import Week
from bot.errors import ConfigError, InputError
from bot.settings.loading import LoadedConfig
from bot.storage.session import Store
from bot.summary.chart import daily_chart
from bot.summary.figures import SummaryOptions, build_summary
from bot.summary.mailer import Mailer, SendError
from bot.summary.model import WeeklySummary
from bot.summary.render import SummaryTemplates, build_message
from bot.summary.sends import SENDING, SENT, claim_send, finish_send, get_send

log = structlog.get_logger(__name__)

SCHEDULER = "scheduler"


@dataclass(frozen=True)
class Produced:
    """A week's summary with its chart, ready to render or send."""

    summary: WeeklySummary
    chart: bytes


@dataclass(frozen=True)
class SendOutcome:
    """What became of a send: sent, or skipped because the week was already handled."""

    week: str
    sent: bool
    detail: str
    attempts: int = 0


def summary_options(loaded: LoadedConfig) -> SummaryOptions:
    """The summary's content settings from the config."""
    settings = loaded.settings
    return SummaryOptions(
        organisation=settings.organisation.name,
        thresholds=dict(settings.thresholds),
        connectors=tuple(settings.connectors),
        excerpt_chars=settings.summary.excerpt_chars,
        reviews_within_days=settings.summary.reviews_within_days,
        list_limit=settings.summary.list_limit,
    )


def templates_for(loaded: LoadedConfig) -> SummaryTemplates:
    """The summary templates for the config's template folder and time zone."""
    settings = loaded.settings
    return SummaryTemplates(settings.templates.dir, settings.schedule.zone())


def produce(loaded: LoadedConfig, store: Store, week: Week, *, now: datetime) -> Produced:
    """Gather the figures (one read transaction) and draw the chart."""
    with store.session() as session:
        summary = build_summary(session, week, now=now, options=summary_options(loaded))
    chart = daily_chart(summary.days, summary.daily, summary.labels)
    return Produced(summary, chart)


def send_summary(
    loaded: LoadedConfig,
    store: Store,
    week: Week,
    *,
    now: datetime,
    mailer: Mailer,
    by: str = SCHEDULER,
    again: bool = False,
) -> SendOutcome:
    """Send `week`'s summary once, recording the send.

    The scheduler (`by="scheduler"`) skips a week already sent or being sent. Staff
    (`modbot summary --send`) are told instead, and can send again with `again`.

    Raises:
        InputError: staff asked for a week already sent, or nobody is in `summary.to`.
        SendError: the send failed (recorded as failed, and in the audit trail).
        ConfigError: an SMTP credential variable is not set (recorded as failed too).
    """
    if not loaded.settings.summary.to:
        raise InputError("summary.to is empty: add the addresses the summary goes to")
    label = week.label
    with store.begin() as session:
        claimed = claim_send(session, label, by=by, now=now, again=again)
        if claimed is None:
            previous = get_send(session, label)
            state = previous.state if previous else "unknown"
            when = previous.finished_at or previous.started_at if previous else None
            if by != SCHEDULER:
                verb = "was sent" if state == SENT else "started sending and never finished"
                raise InputError(
                    f"the summary for {label} {verb} on {when:%d %b %Y %H:%M} UTC; add "
                    "--again to send it again"
                )
            log.info("summary_already_handled", week=label, state=state)
            return SendOutcome(label, False, f"{label} already {state}")
    try:
        produced = produce(loaded, store, week, now=now)
        message = build_message(
            produced.summary, produced.chart, loaded.settings, templates_for(loaded)
        )
        delivery = mailer.send(message)
    except Exception as exc:  # loop edge: never leave the week marked as sending
        attempts = exc.attempts if isinstance(exc, SendError) else 0
        error = "; ".join(exc.problems) if isinstance(exc, ConfigError) else str(exc)
        with store.begin() as session:
            finish_send(session, label, sent=False, attempts=attempts, now=now, error=error)
            audit(
                session,
                actor=by if by != SCHEDULER else BOT,
                event="summary_failed",
                subject_type="summary",
                subject_id=None,
                at=now,
                week=label,
                attempts=attempts,
                error=error,
            )
        log.error("summary_failed", week=label, attempts=attempts, error=error)
        raise
    recipients = len(loaded.settings.summary.to) - len(delivery.refused)
    note = (
        "; refused: " + "; ".join(f"{k}: {v}" for k, v in delivery.refused.items())
        if delivery.refused
        else None
    )
    with store.begin() as session:
        finish_send(
            session,
            label,
            sent=True,
            attempts=delivery.attempts,
            now=now,
            recipients=recipients,
            message_id=str(message["Message-ID"]),
            error=note,
        )
        audit(
            session,
            actor=by if by != SCHEDULER else BOT,
            event="summary_sent",
            subject_type="summary",
            subject_id=None,
            at=now,
            week=label,
            recipients=recipients,
            refused=len(delivery.refused),
            attempts=delivery.attempts,
        )
    log.info("summary_sent", week=label, recipients=recipients, attempts=delivery.attempts)
    detail = f"sent {label} to {recipients} recipient(s) after {delivery.attempts} attempt(s)"
    if delivery.refused:
        detail += f"; {len(delivery.refused)} refused"
    return SendOutcome(label, True, detail, delivery.attempts)


__all__ = ["SENDING", "Produced", "SendOutcome", "produce", "send_summary", "summary_options"]
