"""The moderation step for one contact: detect, then decide, then the person's next state.

The pipeline, the replay (`modbot replay`) and the settings preview all moderate through
`Moderator`, so a what-if shows exactly what the bot would do. It is built once per
configuration: the text classifier, the behaviour detectors, the message templates and the
policy engine, each built in one place. Nothing here reads or writes the store: the caller
gives the history snapshot and the person's state, and records what comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.decide.engine import PolicyEngine
from bot.decide.messages import Messages
from bot.detect.build import build_classifier, build_detectors
from bot.domain import ActionKind, Decision, LadderStep, PersonState, rung
from bot.settings.loading import LoadedConfig
from filters.base import Finding
from filters.classifier import Classification, TextClassifier
from filters.history import History
from platforms.base import Contact


@dataclass(frozen=True, slots=True)
class Moderation:
    """What moderating one contact gave: the decision, and the person's state after it."""

    decision: Decision
    state: PersonState


class Moderator:
    """The detect and decide stages of one configuration, built once and reused."""

    def __init__(
        self,
        loaded: LoadedConfig,
        *,
        messages: Messages | None = None,
        classifier: TextClassifier | None = None,
    ) -> None:
        """`classifier` replaces the configured text filters (a test's scripted one)."""
        settings = loaded.settings
        self.thresholds = settings.thresholds
        self.classifier: TextClassifier = classifier or build_classifier(loaded)
        self.detectors = build_detectors(loaded)
        self.messages = messages or Messages.for_settings(settings, loaded.profile)
        self.engine = PolicyEngine(loaded.profile, settings.thresholds, self.messages)

    def classify(self, text: str) -> Classification:
        """The text filters' findings and scores for one text."""
        return self.classifier.classify(text)

    def behaviour(self, text: str, at: datetime, history: History) -> tuple[Finding, ...]:
        """The behaviour detectors' findings for a contact, given the person's history."""
        return tuple(f for detector in self.detectors for f in detector.check(text, at, history))

    def moderate(
        self,
        contact: Contact,
        classification: Classification,
        behaviour: tuple[Finding, ...],
        state: PersonState,
    ) -> Moderation:
        """Decide on `contact`, and say where the person stands once the decision is planned."""
        decision = self.engine.decide(contact, classification, state, behaviour)
        if cannot_read(contact) and not decision.actions:
            decision = replace(
                decision,
                outcome=NEEDS_REVIEW,
                summary=(
                    "Only "
                    + ", ".join(a.type.replace("_", " ") for a in contact.attachments)
                    + ": the bot cannot read this, so a person must look at it."
                ),
            )
        return Moderation(decision, state_after(state, decision))


NEEDS_REVIEW = "needs review"


def cannot_read(contact: Contact) -> bool:
    """Whether all the contact says is in attachments the bot cannot read (a photo alone).

    Such a contact is never passed as acceptable: an empty text says nothing either way.
    """
    return bool(contact.attachments) and not contact.text.strip()


def state_after(state: PersonState, decision: Decision) -> PersonState:
    """The person's state once `decision` is planned (before anything is carried out).

    A rung the decision plans is pending until it is delivered, so a second outburst in the
    same pass is added to the case rather than stepping up the ladder twice.
    """
    kinds = {a.kind for a in decision.actions}
    pending = max(
        (rung(kind, decision.step) for kind in kinds),
        key=lambda step: step.rank,
        default=LadderStep.NONE,
    )
    if pending.rank < state.step_pending.rank:
        pending = state.step_pending
    return replace(
        state,
        step_pending=pending,
        blocked=state.blocked or ActionKind.BLOCK in kinds,
        incidents=state.incidents + int(decision.incident),
    )
