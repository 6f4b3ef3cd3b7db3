"""The configuration's schema: every section of the YAML file, validated by pydantic.

Secrets never live in YAML: the config names environment variables, read by `read_secret`.
Loading (defaults, the user's file, the profile) is in `bot.settings.loading`.
"""

from __future__ import annotations

import ipaddress
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from bot.errors import ConfigError
from bot.settings.secrets import read_secret
from filters.base import TEXT_CATEGORIES, Category
from platforms.registry import ConnectorConfig


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactPoint(_Strict):
    """The single point of contact a restriction letter names, and how to reach them.

    Every policy's restriction letter names one (Derby Homes 10.1, Housing Solutions 6.5.4,
    Hanover 5.9, Selwood "Management interventions"); an assessment may name another for
    one person. Approving a restriction is refused while the letter would lack one.
    """

    name: str = Field(default="", description="The member of staff, as the letter names them.")
    title: str = Field(default="", description="Their job title.")
    how: str = Field(
        default="",
        description="How to reach them, ending a sentence: 'by email to ... or by letter ...'.",
    )
    times: str = Field(
        default="",
        description="The set times calls and messages are answered, if a protocol uses them.",
    )


def missing_for_letter(contact: Mapping[str, Any], protocol: Iterable[str]) -> list[str]:
    """What a restriction letter would lack: the contact's name, how to reach them, the times."""
    missing = []
    if not str(contact.get("name", "")).strip():
        missing.append("the single point of contact's name")
    if not str(contact.get("how", "")).strip():
        missing.append("how to reach the single point of contact")
    if "set_times" in protocol and not str(contact.get("times", "")).strip():
        missing.append("the set times calls and messages are answered (contact_point.times)")
    return missing


class OrganisationConfig(_Strict):
    """Who the bot speaks for, used in every message it sends."""

    name: str = Field(min_length=1)
    complaints_url: str = ""
    contact_url: str = ""
    policy_url: str = Field(
        default="", description="Where the policy can be read; letters that give it link here."
    )
    contact_point: ContactPoint = ContactPoint()
    accounts: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="The organisation's own handles per platform: their replies are answers.",
    )

    def is_own(self, platform: str, handle: str) -> bool:
        """Whether a handle is one of the organisation's own accounts on `platform`."""
        wanted = handle.strip().lstrip("@").lower()
        return any(h.strip().lstrip("@").lower() == wanted for h in self.accounts.get(platform, ()))


class DatabaseConfig(_Strict):
    """Where the store lives. A URL in the environment variable named here wins."""

    url: str = Field(min_length=1)
    url_env: str | None = "MODBOT_DATABASE_URL"

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        return value


class PolicyConfig(_Strict):
    """Which policy profile applies, and key-by-key changes to it."""

    profile: str = Field(min_length=1)
    overrides: dict[str, Any] = Field(default_factory=dict)


class ContactRateConfig(_Strict):
    """Contacts per person allowed in each window before a manager is asked to look."""

    per_hour: int = Field(default=10, ge=1)
    per_day: int = Field(default=20, ge=1)
    per_week: int = Field(default=50, ge=1)


class PersistenceConfig(_Strict):
    """When repeating an answered issue counts as unreasonable persistence."""

    similarity: float = Field(default=85.0, ge=50, le=100)
    repeats_after_answer: int = Field(default=2, ge=2)


class DemandsConfig(_Strict):
    """When demands count as unreasonable: how many within how many days."""

    repeats: int = Field(default=3, ge=2)
    within_days: int = Field(default=30, ge=1)


class BehaviourConfig(_Strict):
    """The behaviour detectors: patterns over a person's recent contacts."""

    lookback_days: int = Field(default=30, ge=1, le=365)
    excessive_contact: ContactRateConfig = ContactRateConfig()
    persistence: PersistenceConfig = PersistenceConfig()
    demands: DemandsConfig = DemandsConfig()


class RetentionConfig(_Strict):
    """How long personal data is kept before the retention job removes it."""

    contact_text_days: int = Field(default=730, ge=30)
    alias_log_days: int = Field(default=365, ge=30)


class WordsConfig(_Strict):
    """Word lists comms teams edit without code."""

    extra_profanity: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    staff_names: tuple[str, ...] = ()
    place_names: tuple[str, ...] = ()


class ScorerConfig(_Strict):
    """The learned model: on, or off (the swear-word list and staff details alone)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    enabled: bool = True

    @model_validator(mode="after")
    def _no_cuts(self) -> ScorerConfig:
        extra = sorted(self.model_extra or {})
        if "cuts" in extra:
            raise ValueError(
                "cuts: removed; the model's scores are calibrated probabilities and the "
                "`thresholds` section alone decides what counts. Delete `scorer.cuts` and set "
                "`thresholds` instead"
            )
        if extra:
            raise ValueError(f"{extra[0]}: unknown key (only `enabled` is allowed here)")
        return self


class TemplatesConfig(_Strict):
    """Where message templates come from: a folder of the user's own first, then shipped."""

    dir: Path | None = None


class PipelineConfig(_Strict):
    """How a pass moves data: batch size trades memory for round trips."""

    batch_size: int = Field(default=500, ge=1, le=10_000)
    running_stale_after_seconds: int = Field(default=300, ge=0)
    claim_lease_seconds: int = Field(default=30, ge=5, le=3600)
    max_attempts: int = Field(default=5, ge=1, le=50)


class ScheduleConfig(_Strict):
    """When `modbot run` does each timed job; cron expressions are read in `timezone`.

    Each connector is polled at its own `poll_interval_seconds`.
    """

    timezone: str = "Europe/London"
    act_every_seconds: int = Field(default=30, ge=5, le=3600)
    reminders_cron: str = "0 7 * * *"
    retention_cron: str = "30 2 * * *"
    summary_cron: str = "0 8 * * mon"
    reminder_days: int = Field(default=14, ge=1, le=90)
    lease_seconds: int = Field(default=60, ge=10, le=3600)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'; e.g. Europe/London") from None
        return value

    @field_validator("reminders_cron", "retention_cron", "summary_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 5:
            raise ValueError(
                f"'{value}' is not a cron expression: write five fields, minute hour "
                "day-of-month month day-of-week, e.g. '0 8 * * mon'"
            )
        if any(ch.isdigit() for ch in fields[4]):
            # APScheduler 3 counts weekdays from Monday = 0, crontab from Sunday = 0: a
            # number would silently mean another day, so only names are accepted.
            raise ValueError(
                f"write the day of the week as a name (mon, tue, ... sun, or mon-fri), not "
                f"'{fields[4]}': day numbers differ between cron dialects"
            )
        try:
            CronTrigger.from_crontab(value, timezone=ZoneInfo("UTC"))
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a valid cron expression: {exc}") from None
        return value

    def zone(self) -> ZoneInfo:
        """The time zone the cron expressions are read in."""
        return ZoneInfo(self.timezone)

    def cron(self, expression: str) -> CronTrigger:
        """An APScheduler trigger for one of the cron expressions, in `timezone`."""
        return CronTrigger.from_crontab(expression, timezone=self.zone())


def _address(value: str) -> str:
    address = parseaddr(value)[1]
    if "@" not in address or any(ch.isspace() for ch in address):
        raise ValueError(f"'{value}' is not an email address")
    return value


EmailAddress = Annotated[str, AfterValidator(_address)]


class SummaryConfig(_Strict):
    """The weekly summary email: who gets it and what it shows."""

    to: tuple[EmailAddress, ...] = ()
    sender: EmailAddress = Field(default="modbot <modbot@localhost>", alias="from")
    subject: str = "{organisation}: moderation summary for {week}"
    excerpt_chars: int = Field(default=80, ge=0, le=300)
    reviews_within_days: int = Field(default=14, ge=1, le=90)
    list_limit: int = Field(default=25, ge=1, le=500)

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        try:
            value.format(organisation="x", week="2026-W46")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"may use only {{organisation}} and {{week}} ({type(exc).__name__}: {exc})"
            ) from None
        return value


class SmtpConfig(_Strict):
    """How the summary is sent. Credentials come from the environment variables named here."""

    host: str = Field(default="localhost", min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username_env: str | None = None
    password_env: str | None = None
    ca_file: Path | None = None
    timeout_seconds: float = Field(default=30, gt=0, le=300)
    max_attempts: int = Field(default=4, ge=1, le=10)
    retry_delay_seconds: float = Field(default=30, ge=0, le=3600)

    @model_validator(mode="after")
    def _both_or_neither(self) -> SmtpConfig:
        if bool(self.username_env) != bool(self.password_env):
            raise ValueError(
                "set both username_env and password_env (to log in) or neither (no login)"
            )
        return self

    def credentials(self) -> tuple[str, SecretStr] | None:
        """The username and password to log in with, or None to send without logging in.

        Raises:
            ConfigError: naming each environment variable that is not set.
        """
        if not (self.username_env and self.password_env):
            return None
        problems = []
        values: dict[str, SecretStr] = {}
        for key, name in (("username_env", self.username_env), ("password_env", self.password_env)):
            secret = read_secret(name, required=False)
            if secret is None:
                problems.append(
                    f"smtp.{key}: the environment variable {name} is not set; export "
                    f"{name}=... (or point {name}_FILE at a file) before sending the summary"
                )
            else:
                values[key] = secret
        if problems:
            raise ConfigError("environment", problems)
        return values["username_env"].get_secret_value(), values["password_env"]


class WebConfig(_Strict):
    """The review pages: how staff sessions are kept and how sign-in is protected."""

    session_secret_env: str = Field(default="MODBOT_WEB_SECRET", min_length=1)
    secure_cookies: bool = True
    session_hours: int = Field(default=8, ge=1, le=168)
    session_idle_minutes: int = Field(default=60, ge=5, le=1440)
    max_failed_signins: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=1440)
    max_failed_signins_per_address: int = Field(default=20, ge=1, le=10_000)
    max_request_bytes: int = Field(default=1_000_000, ge=1_000, le=100_000_000)
    trusted_proxies: tuple[str, ...] = ()

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"'{item}' is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)"
                ) from None
        return value

    def session_secret(self) -> SecretStr | None:
        """The key that signs session cookies, or None if its variable is not set.

        Raises:
            ConfigError: it is set but too short to be safe.
        """
        secret = read_secret(self.session_secret_env, required=False)
        if secret is None:
            return None
        value = secret.get_secret_value()
        weakness = (
            "too short"
            if len(value) < 32
            else "too predictable (a pattern, or too few different characters)"
            if len(set(value)) < 10 or estimated_bits(value) < 96 or _repeats(value)
            else None
        )
        if weakness:
            raise ConfigError(
                "environment",
                [
                    f"{self.session_secret_env}: {weakness} to sign sessions safely; use at "
                    "least 32 random characters, e.g. the output of: python3 -c "
                    "'import secrets; print(secrets.token_urlsafe(32))'"
                ],
            )
        return secret


def _repeats(value: str) -> bool:
    """Whether the value is a shorter string said over and over ("0123456789" * 4)."""
    return (value + value).find(value, 1) < len(value)


def estimated_bits(value: str) -> float:
    """An upper estimate of a secret's entropy from how often each character occurs.

    It cannot prove a secret random, but it catches the predictable ones people type
    ("a" * 32, a short word repeated); a real random secret scores far above the bar.
    """
    counts = Counter(value)
    return -sum(n * math.log2(n / len(value)) for n in counts.values())


class BotConfig(_Strict):
    """The whole validated configuration file."""

    organisation: OrganisationConfig
    database: DatabaseConfig
    policy: PolicyConfig
    connectors: dict[str, ConnectorConfig]
    thresholds: dict[Category, float]
    words: WordsConfig = WordsConfig()
    scorer: ScorerConfig = ScorerConfig()
    templates: TemplatesConfig = TemplatesConfig()
    pipeline: PipelineConfig = PipelineConfig()
    behaviour: BehaviourConfig = BehaviourConfig()
    retention: RetentionConfig = RetentionConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    summary: SummaryConfig = SummaryConfig()
    smtp: SmtpConfig = SmtpConfig()
    web: WebConfig = WebConfig()

    @field_validator("thresholds")
    @classmethod
    def _thresholds_cover_text_categories(
        cls, value: dict[Category, float]
    ) -> dict[Category, float]:
        for category, threshold in value.items():
            if not 0.0 < threshold <= 1.0:
                raise ValueError(f"{category.value}: must be above 0 and at most 1")
        missing = [c.value for c in TEXT_CATEGORIES if c not in value]
        if missing:
            raise ValueError(f"missing a threshold for {', '.join(missing)}")
        return value

    @field_validator("connectors")
    @classmethod
    def _connector_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not name.replace("_", "").replace("-", "").isalnum():
                raise ValueError(f"connector name '{name}' may use only letters, digits, - and _")
        return value

    def database_url(self) -> str:
        """The database URL, taking the environment variable over the file if it is set."""
        if self.database.url_env:
            from_env = read_secret(self.database.url_env, required=False)
            if from_env is not None:
                return from_env.get_secret_value()
        return self.database.url
