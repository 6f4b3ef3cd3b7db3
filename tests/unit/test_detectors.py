"""Behaviour detectors: patterns over time, never one angry message."""

from datetime import UTC, datetime, timedelta

from filters.base import Category
from filters.contact_rate import ContactRateDetector, Window
from filters.demands import DemandsDetector, demands_in
from filters.history import History, PastContact
from filters.persistence import PersistenceDetector

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
ISSUE = "The black mould in my daughter's bedroom is back, when is the inspection?"


def contact(text: str, at: datetime) -> tuple[str, datetime]:
    """What a behaviour detector is given of the contact it checks: its text and time."""
    return text, at


def past(text: str, minutes: int, answered: int | None = None, platform: str = "facebook"):
    at = T0 + timedelta(minutes=minutes)
    return PastContact(
        at, text, platform, "t1", T0 + timedelta(minutes=answered) if answered is not None else None
    )


def test_contact_rate_counts_across_platforms_in_sliding_windows():
    detector = ContactRateDetector((Window("hour", timedelta(hours=1), 3),))
    history = History("p", (past("a", 0), past("b", 10, platform="x"), past("c", 20)))
    [finding] = detector.check(*contact("d", T0 + timedelta(minutes=30)), history)
    assert finding.category is Category.EXCESSIVE_CONTACT
    assert finding.evidence == "4 contacts in the last hour across facebook, x (limit 3)"
    assert detector.check(*contact("d", T0 + timedelta(minutes=70)), history) == []


def test_chasing_an_unanswered_issue_is_not_persistence():
    detector = PersistenceDetector(similarity=80, repeats=2)
    history = History("p", tuple(past(ISSUE, m) for m in (0, 60, 120)))
    assert detector.check(*contact(ISSUE, T0 + timedelta(days=2)), history) == []


def test_repeating_an_answered_issue_without_new_information_is_persistence():
    detector = PersistenceDetector(similarity=80, repeats=2)
    history = History("p", (past(ISSUE, 0, answered=30), past(ISSUE + " Again.", 90)))
    [finding] = detector.check(*contact(ISSUE, T0 + timedelta(minutes=200)), history)
    assert finding.category is Category.PERSISTENCE
    assert "raised 2 times since it was answered on 20 Nov 2026" in finding.evidence


def test_a_new_issue_after_an_answer_is_not_persistence():
    detector = PersistenceDetector(similarity=80, repeats=2)
    history = History("p", (past(ISSUE, 0, answered=30), past(ISSUE, 90)))
    fresh = contact(
        "The lift in Cedar House has been broken since Monday, my mum is stuck",
        T0 + timedelta(minutes=200),
    )
    assert detector.check(*fresh, history) == []


def test_demands_count_only_when_repeated():
    assert demands_in("I want to speak to the chief executive and nobody else") == [
        "named_person_only"
    ]
    assert demands_in("Reply within the hour") == ["timescale"]
    assert demands_in("Dawn should be sacked") == ["discipline_staff"]
    assert demands_in("Please could someone call me back this week?") == []
    detector = DemandsDetector(repeats=3, within=timedelta(days=30))
    one = History("p", (past("Reply within the hour", 0),))
    assert detector.check(*contact("Dawn should be sacked", T0 + timedelta(days=1)), one) == []
    two = History("p", (past("Reply within the hour", 0), past("I want to speak to the CEO", 60)))
    [finding] = detector.check(*contact("Dawn should be sacked", T0 + timedelta(days=1)), two)
    assert finding.category is Category.DEMANDS and finding.rule == "demands:discipline_staff"
