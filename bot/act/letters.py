"""Letters written when they are sent: a restriction, a review's outcome, an appeal's decision.

These say what the register holds at the moment of sending (the restriction as it started, its
review date or end date, the outcome staff recorded), so they are composed by the runner from
the action's stored facts and the register, never from anyone's reasons or internal notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.decide.engine import SEVERITY
from bot.decide.letters import (
    closing,
    contact_sentence,
    duration_sentence,
    letter_clause,
    long_date,
    protocol_terms,
    signpost,
)
from bot.decide.messages import Messages, describe
from bot.domain import ActionKind, Clause
from bot.settings.profile import PolicyProfile
from bot.storage.models import Action, Decision, Restriction


def write_letter(
    session: Session, action: Action, profile: PolicyProfile, messages: Messages
) -> str:
    """The text of a RESTRICTION, REVIEW_LETTER or APPEAL_LETTER action, as sent."""
    if action.kind is ActionKind.RESTRICTION:
        return _restriction(session, action, profile, messages)
    if action.kind is ActionKind.REVIEW_LETTER:
        return _review(action, profile, messages)
    if action.kind is ActionKind.APPEAL_LETTER:
        return _appeal(action, profile, messages)
    raise ValueError(f"{action.kind.value} is not a letter")


def contact_point(action: Action, messages: Messages) -> Mapping[str, Any]:
    """The single point of contact a restriction names: its own, or the organisation's."""
    own = action.details.get("contact_point") or {}
    default = messages.organisation.get("contact_point") or {}
    return {**default, **{k: v for k, v in own.items() if v}}


def _restriction(
    session: Session, action: Action, profile: PolicyProfile, messages: Messages
) -> str:
    restriction = session.scalar(sa.select(Restriction).where(Restriction.action_id == action.id))
    assert restriction is not None  # started before its letter is written
    facts = action.details.get("facts") or case_facts(session, action, profile)
    contact = contact_point(action, messages)
    protocol = action.details.get("protocol") or profile.ladder.restriction.default_protocol
    reviewed = profile.reviews.restriction_review_months is not None
    return messages.render(
        "restriction_notice.txt.j2",
        handle=action.contact.account.handle,
        conduct=facts.get("conduct")
        or f"your {facts.get('where', 'contact with us')} included "
        f"{facts.get('behaviour', 'unacceptable behaviour')}",
        clause=facts.get("behaviour_clause") or _step(action),
        step_clause=_step(action),
        removed=facts.get("removed", ""),
        invoked=profile.letters.invoked_on_letter_date,
        terms=protocol_terms(protocol, contact),
        contact=contact_sentence(contact),
        duration=duration_sentence(
            profile,
            restriction.starts_at,
            restriction.review_due if reviewed else None,
            restriction.ends_at,
        ),
        closing=closing(profile, "restriction"),
    )


def _review(action: Action, profile: PolicyProfile, messages: Messages) -> str:
    facts = action.details
    continued = bool(facts.get("continued"))
    return messages.render(
        "review_outcome.txt.j2",
        handle=action.contact.account.handle,
        step_clause=_step(action),
        started=_day(facts["started"]),
        continued=continued,
        explanation=facts.get("explanation", ""),
        next_review=_day(facts["next_review"]) if facts.get("next_review") else "",
        closing=closing(profile, "review_outcome") if continued else "",
    )


def _appeal(action: Action, profile: PolicyProfile, messages: Messages) -> str:
    facts = action.details
    return messages.render(
        "appeal_decision.txt.j2",
        handle=action.contact.account.handle,
        step_clause=_step(action),
        received=_day(facts["received"]),
        decided_on=_day(facts["decided_on"]),
        heard_by=profile.describe([facts["heard_by"]]),
        outcome=facts["outcome"],
        ended=bool(facts.get("ended")),
        explanation=facts.get("explanation", ""),
        closing=signpost(profile, "restriction"),
    )


def _step(action: Action) -> str:
    return letter_clause(Clause(action.clause_ref, action.clause_title))


def _day(iso: str) -> str:
    return long_date(datetime.fromisoformat(iso))


def case_facts(session: Session, action: Action, profile: PolicyProfile) -> dict[str, object]:
    """The behaviour a whole case shows, for a restriction an assessment proposed.

    The union of what the case's standing decisions found (reversed ones excluded), most
    severe first, and the clause of the most severe.
    """
    rows = session.scalars(
        sa.select(Action.details)
        .join(Decision, Decision.id == Action.decision_id)
        .where(Action.case_id == action.case_id, Decision.reversed_at.is_(None))
    )
    found = {c for details in rows for c in (details.get("facts") or {}).get("categories", [])}
    categories = [c for c in SEVERITY if c.value in found]
    if not categories:
        return {}
    top = profile.categories[categories[0]].clause
    return {
        "conduct": f"your contact with us has included {describe(categories)}",
        "behaviour_clause": letter_clause(top.to_clause()),
        "removed": "",
    }
