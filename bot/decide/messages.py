"""Message templates: what the bot says to people, as Jinja2 files comms teams can edit.

Templates are looked up in the config's own folder first, then per profile under
`config/templates/<profile>/`, then in `config/templates/`. They are checked when the config
loads (syntax, and a trial render with every variable defined), so a typo stops the bot at
start-up with the file and line, never half way through warning someone.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from bot.errors import ConfigError
from bot.paths import shipped
from filters.base import Category

if TYPE_CHECKING:
    from bot.settings.profile import PolicyProfile
    from bot.settings.schema import BotConfig

TEMPLATES = (
    "public_warning.txt.j2",
    "private_warning.txt.j2",
    "notice.txt.j2",
    "formal_warning.txt.j2",
    "restriction_notice.txt.j2",
)

BEHAVIOUR: Mapping[Category, str] = {
    Category.PROFANITY: "swearing",
    Category.ABUSE: "abusive or derogatory remarks aimed at people",
    Category.THREAT: "threatening language",
    Category.DISCRIMINATION: "discriminatory language",
    Category.ALLEGATION: "serious allegations of criminal or corrupt conduct made without evidence",
    Category.HARASSMENT: "personal details, recordings or targeting of a member of staff",
    Category.EXCESSIVE_CONTACT: "an unreasonable level of contact",
    Category.PERSISTENCE: "raising the same issue again without new information",
    Category.DEMANDS: "unreasonable demands",
}

WHERE = {
    "post": "post",
    "comment": "comment",
    "reply": "reply",
    "mention": "post",
    "private_message": "message",
}


def describe(categories: list[Category]) -> str:
    """The behaviour in plain words, e.g. "swearing and threatening language"."""
    parts = [BEHAVIOUR[c] for c in categories]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


class Messages:
    """Renders the message templates for one config and profile."""

    def __init__(
        self,
        templates_dir: Path | None,
        profile: PolicyProfile,
        organisation: Mapping[str, Any],
    ) -> None:
        loaders: list[jinja2.BaseLoader] = []
        if templates_dir is not None:
            loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
        loaders.append(jinja2.FileSystemLoader(str(shipped("templates", profile.name))))
        loaders.append(jinja2.FileSystemLoader(str(shipped("templates"))))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
            autoescape=False,  # plain-text messages to platforms, never HTML
        )
        self.profile = profile
        self.organisation = dict(organisation)

    @classmethod
    def for_settings(cls, settings: BotConfig, profile: PolicyProfile) -> Messages:
        """The templates a configuration uses: its own folder first, then the shipped ones."""
        return cls(settings.templates.dir, profile, settings.organisation.model_dump())

    def base_context(self) -> dict[str, Any]:
        """What every message knows: who sends it, under which policy, and how to appeal."""
        return {
            "organisation": self.organisation,
            "policy": self.profile.policy,
            "landlord": self.profile.landlord,
            "ombudsman": self.profile.ombudsman or "",
            "appeal": appeal_text(self.profile),
            "hidden": False,
            "issues": [],
            "terms": "",
            "review_due": "",
        }

    def render(self, name: str, **context: Any) -> str:
        """Render one template to plain text, trimmed; `context` adds to the base context."""
        return self.env.get_template(name).render({**self.base_context(), **context}).strip()


def appeal_text(profile: PolicyProfile) -> str:
    """How to appeal, in the profile's words, with its window in working days."""
    appeals = profile.appeals
    window = (
        f" You must ask within {appeals.window_working_days} working days."
        if appeals.window_working_days
        else ""
    )
    return (
        f"{appeals.route}{window} Someone who was not involved in this decision will review "
        f"it and reply within {appeals.decide_within_working_days} working days."
    )


def sample_context() -> dict[str, Any]:
    """The message-specific variables, with plausible values, for checking at load."""
    return {
        "clause": "1.1 (Example clause)",
        "behaviour": "swearing",
        "handle": "@example",
        "where": "comment",
        "hidden": True,
        "issues": ["repairs"],
        "terms": "please contact us in writing only",
        "review_due": "1 June 2027",
    }


def check_templates(settings: BotConfig, profile: PolicyProfile) -> None:
    """Load and trial-render every template.

    Raises:
        ConfigError: naming the template file, the line and the problem.
    """
    messages = Messages.for_settings(settings, profile)
    context = sample_context()
    problems: list[tuple[str, str]] = []
    for name in TEMPLATES:
        try:
            messages.render(name, **context)
        except jinja2.TemplateNotFound:
            where = settings.templates.dir or shipped("templates")
            problems.append((str(where), f"{name}: template not found"))
        except jinja2.TemplateSyntaxError as exc:
            problems.append((exc.filename or name, f"line {exc.lineno}: {exc.message}"))
        except jinja2.UndefinedError as exc:
            source = messages.env.get_template(name).filename or name
            problems.append((source, f"uses an unknown variable: {exc.message}"))
    if problems:
        raise ConfigError(problems[0][0], [p for _, p in problems])
