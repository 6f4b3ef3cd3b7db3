"""The first text filters: what they catch, and what they must leave alone."""

import pytest

from bot.domain import Category
from bot.paths import shipped
from filters.classifier import TextClassifier

STAFF = ["Dawn Pritchard", "Marcus Webb"]


@pytest.fixture(scope="module")
def classifier() -> TextClassifier:
    return TextClassifier.build(shipped("words"), staff_names=STAFF)


def categories(classifier: TextClassifier, text: str) -> set[Category]:
    return {f.category for f in classifier.classify(text).findings}


# Scunthorpe problem: innocent words and place names (housing-dev.README "Hard-case conventions").
INNOCENT = [
    "I live in Scunthorpe and the boiler is broken",
    "Penistone Road has potholes again",
    "no hot water since Tuesday",
    "we had a cocktail party in the community room",
    "please can someone assess the damp",
    "the flat on Dick Turpin Way needs a new door",
    "Cockermouth, Wetwang, Cockburn Street, Bumstead Close",
    "analyse the cumulative service charges",
    "the radiator knob came off in my hand",
    "shuttlecocks on the roof, and the weathercock is rusty",
    "my cockapoo barks at the contractors",
    "graduated magna cum laude",
    "Moby Dick and Spotted Dick at the residents' quiz",
    "my son is gay and proud",
    "a pot of paint and a bottle of rum",
    "HIV support group meets on Tuesday",
    "omg the lift works!",
]


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_words_and_places_stay_clean(classifier, text):
    assert classifier.classify(text).findings == ()


# Anger at the service is acceptable under every policy.
ANGRY_BUT_ACCEPTABLE = [
    "Third time asking. The black mould is back. This is a disgrace!",
    "What the hell are we paying rent for? Absolute joke of a repairs service.",
    "bloody hell, another missed appointment. Useless.",
    "I'm going to the Ombudsman and my MP about the damp.",
    "I'll take you to court if the leak isn't fixed",
    "The rent statement is killing me",
    "Shame on you. Not fit for purpose. Appalling management.",
    "Why is the service charge going up 40%? Can we see an itemised bill?",
    "I live at 14 Alder Close NN15 6QT, call me on 07700 900123 about my boiler",
    "I recorded the call for my own records",
    "Leanne told me the roofer was booked for the 14th, she was brilliant",
    "what a rip-off, £40 for a key fob",
]


@pytest.mark.parametrize("text", ANGRY_BUT_ACCEPTABLE)
def test_angry_complaints_are_not_flagged(classifier, text):
    assert categories(classifier, text) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this is shit", Category.PROFANITY),
        ("f.u.c.k this", Category.PROFANITY),
        ("ｆｕｃｋ", Category.PROFANITY),
        ("Dawn Pritchard you are a useless cow", Category.ABUSE),
        ("you lot are scum", Category.ABUSE),
        ("tell Marcus Webb he'd better watch his back", Category.THREAT),
        ("I know where you live", Category.THREAT),
        ("I'm going to batter him when I see him", Category.THREAT),
        ("go back to your own country", Category.DISCRIMINATION),
        ("these immigrants are scum", Category.DISCRIMINATION),
        ("everyone knows the director is taking backhanders", Category.ALLEGATION),
        ("Marcus Webb lives at 27 Sycamore Rise NN16 8QP", Category.HARASSMENT),
        ("her personal facebook is facebook.com/dawn.p.58, message her", Category.HARASSMENT),
        ("going to put the recording of her on youtube", Category.HARASSMENT),
    ],
)
def test_unacceptable_text_is_caught(classifier, text, expected):
    assert expected in categories(classifier, text)


def test_reported_speech_by_a_victim_is_acceptable(classifier):
    assert categories(classifier, "my neighbour called me a paki and spat at my door") == set()
    assert categories(classifier, "He shouted 'go back to your own country' at my kids") == set()


def test_findings_carry_spans_into_the_original_text(classifier):
    text = "this is SH1T and f u c k it"
    result = classifier.classify(text)
    spans = [text[s.start : s.end] for f in result.findings for s in f.spans]
    assert spans == ["SH1T", "f u c k"]


def test_scores_cover_every_text_category(classifier):
    scores = classifier.classify("hello").scores
    assert set(scores) == {c for c in Category if not c.is_behaviour}
    assert all(v == 0.0 for v in scores.values())


def test_config_words_extend_and_allow(tmp_path):
    custom = TextClassifier.build(
        shipped("words"), extra_profanity=["gobshite"], allowed=["shit creek"]
    )
    # Profanity aimed at a person is profanity and abuse (housing-dev README).
    assert categories(custom, "you gobshite") == {Category.PROFANITY, Category.ABUSE}
    assert categories(custom, "what a gobshite idea") == {Category.PROFANITY}
    assert categories(custom, "up shit creek without a paddle") == set()


def test_service_issues_are_recognised(classifier):
    topics = {i.topic for i in classifier.classify("black mould and a leaking boiler").issues}
    assert {"damp and mould", "repairs"} <= topics
