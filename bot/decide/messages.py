"""Message templates: what the bot says to people, as Jinja2 files comms teams can edit.

Templates are looked up in the config's own folder first, then per profile under
`config/templates/<profile>/`, then in `config/templates/`. They are checked when the config
loads (syntax, and a trial render with every variable defined), so a typo stops the bot at
start-up with the file and line, never half way through warning someone.

A template is given facts, not reasons: what was done (`removed`: "hidden" or "deleted", only
if it was; `routed`: the issues passed to staff, only if a routing task was made), the
behaviour in plain words and the clause, and the rights paragraph for its kind of letter
(`closing`, from `bot.decide.letters`). The engine's and staff's own reasons and notes are
never given to a template, so they cannot reach the person.
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
    "block_notice.txt.j2",
    "formal_warning.txt.j2",
    "restriction_notice.txt.j2",
    "review_outcome.txt.j2",
    "appeal_decision.txt.j2",
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
            trim_blocks=True,  # a line holding only a block tag leaves nothing behind
            lstrip_blocks=True,
            autoescape=False,  # plain-text messages to platforms, never HTML
        )
        self.profile = profile
        self.organisation = dict(organisation)

    @classmethod
    def for_settings(cls, settings: BotConfig, profile: PolicyProfile) -> Messages:
        """The templates a configuration uses: its own folder first, then the shipped ones."""
        return cls(settings.templates.dir, profile, settings.organisation.model_dump())

    def base_context(self) -> dict[str, Any]:
        """What every message knows: who sends it and under which policy."""
        return {
            "organisation": self.organisation,
            "policy": self.profile.policy,
            "landlord": self.profile.landlord,
        }

    def render(self, name: str, **context: Any) -> str:
        """Render one template to plain text, trimmed; `context` adds to the base context."""
        return self.env.get_template(name).render({**self.base_context(), **context}).strip()


def sample_context() -> dict[str, Any]:
    """Every message-specific variable, with plausible values, for checking at load."""
    return {
        "handle": "@example",
        "where": "comment",
        "behaviour": "swearing",
        "conduct": "your recent comment included swearing",
        "pattern": False,
        "clause": "clause 1.1 (an example)",
        "clause_ref": "clause 1.1",
        "step_clause": "clause 2.1 (an example step)",
        "removed": "hidden",
        "routed": ["repairs"],
        "messaged": True,
        "warned": True,
        "consequence": "we may send you a formal warning",
        "abusive_language": "Please stop using such language.",
        "policy_link": "https://example.org/policy",
        "closing": "To appeal, write to us.",
        "invoked": True,
        "terms": ["please contact us by one method only: by email"],
        "contact": "Your single point of contact is Jo Bloggs. You can reach them by email.",
        "duration": "This arrangement stays in place until we review it.",
        "started": "1 June 2026",
        "continued": True,
        "explanation": "Your contact since then has been courteous.",
        "next_review": "1 December 2026",
        "received": "2 June 2026",
        "decided_on": "1 June 2026",
        "heard_by": "a Director",
        "outcome": "upheld",
        "ended": False,
        "changes": "",
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
            for empty in (False, True):  # every branch's variables, both ways
                messages.render(name, **{**context, **_emptied(context, empty)})
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


def _emptied(context: dict[str, Any], empty: bool) -> dict[str, Any]:
    """The sample context with every value emptied, to try a template's other branches."""
    if not empty:
        return {}
    return {key: type(value)() for key, value in context.items()}
