"""What a letter says about the person's rights and the arrangement, built from the profile.

Every sentence here is derived from the policy profile or the register, never typed twice: the
appeal paragraph from `appeals` (route, window, who hears it, how long they take, whether a
restriction stays meanwhile, where to go after), the terms of a communication protocol from
the single point of contact the letter names, how long a restriction lasts from `reviews`.
So a letter cannot promise what its policy does not give, and two letters under one policy
never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.domain import Clause
from bot.settings.profile import LetterKind, PolicyProfile


def clause_ref(ref: str) -> str:
    """A clause's reference as a letter gives it: "clause 6.5.1", or a heading by name."""
    return f"clause {ref}" if ref[:1].isdigit() else f'the section "{ref}"'


def letter_clause(clause: Clause) -> str:
    """A clause as a letter cites it, with what it covers: "clause 3.2 (verbal abuse ...)"."""
    return f"{clause_ref(clause.ref)} ({clause.title})"


def long_date(moment: datetime) -> str:
    """A date as letters write it: "20 November 2026"."""
    return f"{moment.day} {moment:%B %Y}"


def appeal_paragraph(profile: PolicyProfile, kind: LetterKind) -> str:
    """How to appeal the decision a letter of `kind` tells, or "" if the policy gives none."""
    rules = profile.appeals
    if kind not in rules.letters:
        return ""
    parts = [rules.route.strip()]
    if rules.window_working_days:
        parts.append(
            f"You must ask within {rules.window_working_days} working days of the date of "
            "this message."
        )
    if rules.decider:
        who = profile.describe(rules.decider)
        sentence = (
            f"{who[0].upper()}{who[1:]} who was not involved in this decision will hear your appeal"
        )
        if rules.decide_within_working_days:
            sentence += f" and reply within {rules.decide_within_working_days} working days"
        parts.append(sentence + ".")
        if rules.restrictions_stay_during_appeal and kind in ("restriction", "review_outcome"):
            parts.append("The arrangement stays in place while your appeal is heard.")
    return " ".join(parts)


def signpost(profile: PolicyProfile, kind: LetterKind) -> str:
    """Where else the person can go: the policy's route beside an appeal, and its ombudsman."""
    parts = []
    if kind in profile.appeals.letters and profile.appeals.after:
        parts.append(profile.appeals.after.strip())
    if profile.ombudsman:
        parts.append(f"You can also contact the {profile.ombudsman} at any time.")
    return " ".join(parts)


def closing(profile: PolicyProfile, kind: LetterKind) -> str:
    """The rights paragraph that ends a letter of `kind`: appeal route, then signposting."""
    return " ".join(p for p in (appeal_paragraph(profile, kind), signpost(profile, kind)) if p)


def contact_sentence(contact: Mapping[str, Any]) -> str:
    """The sentence naming the single point of contact and how to reach them."""
    name = str(contact.get("name", "")).strip()
    title = str(contact.get("title", "")).strip()
    how = str(contact.get("how", "")).strip().rstrip(".")
    who = f"{name}, {title}" if title else name
    return f"Your single point of contact is {who}. You can reach them {how}."


def protocol_terms(protocol: Iterable[str], contact: Mapping[str, Any]) -> list[str]:
    """Each term of a communication protocol as the letter words it, with the contact named."""
    name = str(contact.get("name", "")).strip()
    how = str(contact.get("how", "")).strip().rstrip(".")
    times = str(contact.get("times", "")).strip().rstrip(".")
    words = {
        "single_point_of_contact": f"all your contact with us goes through one person, {name}",
        "one_contact_method": "please contact us by one method only, the one given below",
        "set_times": f"we will answer your calls and messages only at set times: {times}",
        "topics_limited": "we will deal with a limited number of issues in a given period; "
        "please tell us which matter most to you",
        "third_party_only": "please contact us through a representative or third party only",
        "end_direct_contact": "all direct contact between you and our staff has ended; contact "
        f"us only in writing, {how}, or through a representative",
    }
    return [words[p] for p in protocol]


def duration_sentence(
    profile: PolicyProfile, starts: datetime, review_due: datetime | None, ends: datetime | None
) -> str:
    """How long a restriction lasts and when it is reviewed, as its policy says."""
    rules = profile.reviews
    if ends is not None and rules.lapse_after_months:
        return (
            f"This arrangement is in force for {rules.lapse_after_months} months from the date "
            f"of this letter, from {long_date(starts)} until {long_date(ends)}, when it ends "
            f"({clause_ref(rules.clause.ref)})."
        )
    return (
        f"This arrangement starts on {long_date(starts)} and stays in place until we review "
        f"it. We will review it by {long_date(review_due or starts)} and write to you with the "
        f"outcome ({clause_ref(rules.clause.ref)})."
    )
