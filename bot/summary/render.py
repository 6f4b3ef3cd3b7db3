"""Turning a `WeeklySummary` into an email: HTML and plain-text parts from Jinja2 templates.

Templates are `summary.html.j2` and `summary.txt.j2`, looked up in the config's own
template folder first, then in `config/templates/`, like the message templates. The HTML
uses inline styles and tables only (what Outlook, Gmail and Apple Mail all render), no
external CSS, fonts or images; the chart travels inside the message as a `cid:` inline image
(or, in a preview file, as a data URI). Both templates are trial-rendered when the config
loads, so a typo stops the bot at start-up, not at 08:00 on Monday.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import jinja2

from bot.dates.weeks import Week
from bot.errors import ConfigError
from bot.paths import shipped
from bot.summary.model import (
    ActionRow,
    AppealRow,
    ApprovalRow,
    CategoryRow,
    ConnectorRow,
    Listing,
    PlatformRow,
    ReversalRow,
    ReviewRow,
    TaskRow,
    Trend,
    WeeklySummary,
)

if TYPE_CHECKING:
    from bot.settings.schema import BotConfig

HTML = "summary.html.j2"
TEXT = "summary.txt.j2"


class SummaryTemplates:
    """The two summary templates, with the filters they format figures with."""

    def __init__(self, templates_dir: Path | None, zone: ZoneInfo) -> None:
        loaders: list[jinja2.BaseLoader] = []
        if templates_dir is not None:
            loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
        loaders.append(jinja2.FileSystemLoader(str(shipped("templates"))))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",)),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.zone = zone
        self.env.filters.update(
            n=_number,
            pct=_percent,
            change=_change,
            avg=_average,
            when=self._when,
            day=self._day,
            ago=_ago,
        )

    def render(self, name: str, summary: WeeklySummary, chart_src: str) -> str:
        """Render one template for `summary`; `chart_src` is the chart image's URL."""
        return self.env.get_template(name).render(
            s=summary, chart_src=chart_src, zone=self.zone.key
        )

    def _when(self, moment: datetime | None) -> str:
        if moment is None:
            return "never"
        return f"{moment.astimezone(self.zone):%a %d %b %Y %H:%M}"

    def _day(self, moment: datetime | date | None) -> str:
        if moment is None:
            return "none"
        if isinstance(moment, datetime):
            moment = moment.astimezone(self.zone).date()
        return f"{moment:%a %d %b %Y}"


# --- filters ------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    return "0" if value is None else f"{value:,.0f}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _average(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _change(trend: Trend) -> str:
    if trend.change is None:
        return "new" if trend.now else "no change"
    if round(trend.change * 100) == 0:
        return "no change"
    return f"{trend.change * 100:+.0f}%".replace("-", "−")


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = max(0, int((now - moment).total_seconds()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


# --- the message --------------------------------------------------------------------------


def subject(settings: BotConfig, week: Week) -> str:
    """The email's subject line, from the config's pattern."""
    return settings.summary.subject.format(organisation=settings.organisation.name, week=week.label)


def build_message(
    summary: WeeklySummary,
    chart_png: bytes,
    settings: BotConfig,
    templates: SummaryTemplates,
) -> EmailMessage:
    """The whole email: multipart/alternative of text and (HTML + inline chart)."""
    domain = parseaddr(settings.summary.sender)[1].rpartition("@")[2] or "modbot.invalid"
    chart_cid = make_msgid(idstring="chart", domain=domain)
    message = EmailMessage()
    message["Subject"] = subject(settings, summary.week)
    message["From"] = settings.summary.sender
    message["To"] = ", ".join(settings.summary.to)
    message["Date"] = format_datetime(summary.generated_at.astimezone(UTC))
    message["Message-ID"] = make_msgid(idstring=f"summary.{summary.week.label}", domain=domain)
    message.set_content(templates.render(TEXT, summary, chart_src=""))
    message.add_alternative(
        templates.render(HTML, summary, chart_src=f"cid:{chart_cid[1:-1]}"), subtype="html"
    )
    html_part = message.get_payload()[1]  # type: ignore[index]
    html_part.add_related(
        chart_png,
        maintype="image",
        subtype="png",
        cid=chart_cid,
        disposition="inline",
        filename=f"summary-{summary.week.label}.png",
    )
    return message


def preview_html(summary: WeeklySummary, chart_png: bytes, templates: SummaryTemplates) -> str:
    """The HTML part with the chart embedded as a data URI, to open in a browser."""
    src = "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii")
    return templates.render(HTML, summary, chart_src=src)


def preview_text(summary: WeeklySummary, templates: SummaryTemplates) -> str:
    """The plain-text part as it would be sent."""
    return templates.render(TEXT, summary, chart_src="")


# --- checking the templates at load -------------------------------------------------------


def sample_summary(zone: ZoneInfo) -> WeeklySummary:
    """A summary with one row in every list, so a trial render runs every branch."""
    now = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    week = Week(2026, 46, zone)
    trend = Trend(3, (1, 2, 0, 4))
    empty = WeeklySummary(
        organisation="Example Housing",
        week=week,
        generated_at=now,
        seen=trend,
        acted=Trend(1, (0, 0, 0, 0)),
        categories=(),
        platforms=(),
        actions=(),
        days=tuple(d.day for d in week.days),
        daily={},
        approvals=Listing((), 0),
        reviews=Listing((), 0),
        reviews_within_days=14,
        appeals=Listing((), 0),
        appeals_decided={},
        tasks=(),
        reversals=Listing((), 0),
        reversed_by_category={},
        connectors=(),
    )
    return replace(
        empty,
        categories=(CategoryRow("abuse", "Abuse", trend),),
        platforms=(PlatformRow("facebook", "Facebook", trend, trend),),
        actions=(ActionRow("hide", "Hide", done=1, waiting=1, to_staff=1, failed=1),),
        daily={"abuse": (0, 1, 0, 0, 0, 0, 0)},
        approvals=Listing(
            (ApprovalRow(1, "formal warning", "manager", "T-1", "Facebook", "text", now, "why"),),
            2,
        ),
        reviews=Listing((ReviewRow(1, "T-1", "protocol", "terms", now, True),), 2),
        appeals=Listing((AppealRow(1, 1, "T-1", now, now, "director", True, True),), 2),
        appeals_decided={"upheld": 1},
        tasks=(TaskRow("Reports to make", "unsupported", "comms", 1, now),),
        reversals=Listing(
            (ReversalRow(1, 1, "T-1", "Facebook", "hidden", "Abuse", "A", "why", now, "text"),),
            2,
        ),
        reversed_by_category={"abuse": 1},
        connectors=(ConnectorRow("local", True, now, now, "boom", now - timedelta(hours=1)),),
    )


def check_summary_templates(settings: BotConfig) -> None:
    """Trial-render both summary templates.

    Raises:
        ConfigError: naming the template file, the line and the problem.
    """
    zone = settings.schedule.zone()
    templates = SummaryTemplates(settings.templates.dir, zone)
    summaries = (sample_summary(zone), _emptied(sample_summary(zone)))
    for name in (HTML, TEXT):
        try:
            for summary in summaries:
                templates.render(name, summary, chart_src="cid:chart")
        except jinja2.TemplateNotFound:
            where = settings.templates.dir or shipped("templates")
            raise ConfigError(str(where), [f"{name}: template not found"]) from None
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(exc.filename or name, [f"line {exc.lineno}: {exc.message}"]) from None
        except (jinja2.UndefinedError, AttributeError, TypeError) as exc:
            source = templates.env.get_template(name).filename or name
            raise ConfigError(source, [f"cannot be rendered: {exc}"]) from None


def _emptied(summary: WeeklySummary) -> WeeklySummary:
    nothing: Listing[Any] = Listing((), 0)
    return replace(
        summary,
        seen=Trend(0, (0, 0, 0, 0)),
        acted=Trend(0, (0, 0, 0, 0)),
        categories=(),
        platforms=(),
        actions=(),
        daily={},
        approvals=nothing,
        reviews=nothing,
        appeals=nothing,
        appeals_decided={},
        tasks=(),
        reversals=nothing,
        reversed_by_category={},
        connectors=(),
    )
