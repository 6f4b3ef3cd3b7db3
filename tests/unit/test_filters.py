"""The text filters: what they catch, and what they must leave alone.

A category counts when its score reaches the shipped threshold (config/default.yaml), as it
does for the bot: the model also keeps near misses as findings below the threshold, so a
decision can say why they did not count.
"""

import pytest

from bot.paths import shipped
from bot.settings.loading import load_config
from filters.base import Category
from filters.classifier import TextClassifier

STAFF = ["Dawn Pritchard", "Marcus Webb"]
THRESHOLDS = load_config(None).settings.thresholds


@pytest.fixture(scope="module")
def classifier() -> TextClassifier:
    return TextClassifier.build(shipped("words"), staff_names=STAFF)


def categories(classifier: TextClassifier, text: str) -> set[Category]:
    return set(classifier.classify(text).labels(THRESHOLDS))


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
    assert categories(classifier, text) == set()


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
    words = [f for f in result.findings if f.rule.startswith("profanity:word")]
    spans = [text[s.start : s.end] for f in words for s in f.spans]
    assert spans == ["SH1T", "f u c k"]


def test_scores_cover_every_text_category(classifier):
    scores = classifier.classify("hello").scores
    assert set(scores) == {c for c in Category if not c.is_behaviour}
    assert all(v == 0.0 for v in scores.values())


def test_config_words_extend_and_allow(tmp_path):
    custom = TextClassifier.build(
        shipped("words"), extra_profanity=["gobshite"], allowed=["shit creek"]
    )
    # A word the comms team adds is swearing wherever it appears; whether it is also abuse
    # is the model's reading of the whole text, as for any other insult.
    assert Category.PROFANITY in categories(custom, "you gobshite")
    assert categories(custom, "what a gobshite idea") == {Category.PROFANITY}
    assert Category.PROFANITY not in categories(classifier_without(custom), "you gobshite")
    # An allowed phrase is never swearing: the model may take a listed word away, never add one.
    assert categories(custom, "up shit creek without a paddle") == set()
    for text in ["up shit creek without a paddle", "Up SHIT Creek, no paddle, no repairs"]:
        assert custom.classify(text).scores[Category.PROFANITY] == 0.0


def classifier_without(custom: TextClassifier) -> TextClassifier:
    """The same classifier with the shipped word list only."""
    return TextClassifier(
        TextClassifier.build(shipped("words")).profanity, custom.model, custom.staff
    )


def test_service_issues_are_recognised(classifier):
    topics = {i.topic for i in classifier.classify("black mould and a leaking boiler").issues}
    assert {"damp and mould", "repairs"} <= topics


# Disguised swearing (housing-dev README: masking, symbols and leet, spacing, lookalikes).
@pytest.mark.parametrize(
    "text",
    [
        "f*ck this",
        "f@#k this",
        "$hit service",
        "I'm pi55ed off",
        "c*nt",
        "b*llocks to that",
        "f u c k o f f",
        "ｆｕｃｋｉｎｇ boiler",
        "sh¡t",
        "fuuuuuck",
        "shit!",
        "he said 'shit'",
        "#fuckoff",
        "fuck's sake",
        "f\u200bu\u0301ck",
    ],
)
def test_disguised_profanity_is_caught(classifier, text):
    assert Category.PROFANITY in categories(classifier, text)


# The README's list of innocent substrings, each in a sentence a tenant might write.
SCUNTHORPE = [
    "Scunthorpe",
    "Cockermouth",
    "Wetwang",
    "Penistone Road",
    "hot water",
    "cocktail",
    "assess",
    "analyse",
    "cumulative",
    "shuttlecocks",
    "weathercock",
    "cockapoo",
    "Cockburn",
    "Bumstead",
    "radiator knob",
    "Spotted Dick",
    "Dick Turpin Way",
    "the knob on my radiator valve has snapped off",
    "Sussex",
    "Middlesex",
    "Essex",
    "classic",
    "grassed",
    "titbits",
    "therapist",
]


@pytest.mark.parametrize("word", SCUNTHORPE)
def test_scunthorpe_list_stays_clean(classifier, word):
    assert categories(classifier, f"Please send someone to {word} about the damp.") == set()


# better-profanity's list flags these; our curated list must not (issue #3).
@pytest.mark.parametrize(
    "text", ["gay", "pot", "rum", "HIV", "omg", "Moby Dick", "magna cum laude"]
)
def test_ordinary_words_better_profanity_flags_are_clean(classifier, text):
    from better_profanity import profanity

    assert profanity.contains_profanity(text)  # the reason for the curation
    assert categories(classifier, text) == set()


def test_removal_list_words_are_not_profanity(classifier):
    from filters.wordmatch import read_word_file

    removed = read_word_file(shipped("words") / "profanity-removed.txt")
    flagged = [w for w in removed if Category.PROFANITY in categories(classifier, w)]
    assert flagged == []


# Honest complaints: angry, sweary at Ofcom's mild level, persistent. A false positive here
# hides a tenant's complaint, which is the harm the product must not do.
COMPLAINTS = [
    "The black mould in my daughter's bedroom is back AGAIN. Third time I've reported it.",
    "What the hell is going on with repairs? The leak has been dripping into a bucket for 6 weeks.",
    "Bloody useless. Engineer didn't turn up, again, and I took the day off work for nothing.",
    "Damp is running down the walls and my son's asthma is getting worse. Sort it out!!!",
    "Absolute joke of a landlord. No heating, no hot water, and you still want full rent.",
    "I've been on hold for 55 minutes. FIFTY FIVE. Shame on you.",
    "Stage 2 complaint in. If this isn't fixed I'm going to the Housing Ombudsman and my MP.",
    "I'll take you to court for disrepair if I have to. I have photos of everything.",
    "The rent went up and the repairs got worse. Not fit for purpose. Appalling.",
    "The ceiling collapsed in the bathroom. Someone could have been killed. Who is responsible?",
    "Crap service, crap communication, crap everything. Just fix the window.",
    "You lot need to stop fobbing me off about the mould, it's killing my family's health.",
    "My neighbour called me a paki and I want to know what you are doing about it.",
    "I recorded the call with your repairs line for my own records and sent it to the Ombudsman.",
    "Priya from lettings was brilliant, thank you, but the boiler is still broken.",
    "Why has the service charge gone up 40%? Can we see an itemised bill?",
    "Sick to death of this. Cold, damp, and nobody cares. I could scream.",
    "If anyone gets hurt on those broken steps it's on you.",
    "I live at 14 Alder Close NN15 6QT, call me on 07700 900123 about my boiler",
    "Muslim families on our block have had no hot water for a week, please help them.",
]


@pytest.mark.parametrize("text", COMPLAINTS)
def test_honest_complaints_stay_clean(text):
    from bot.detect.build import build_classifier
    from bot.settings.loading import load_config

    loaded = load_config(None)
    result = _shipped(build_classifier, loaded).classify(text)
    assert result.labels(loaded.settings.thresholds) == []


_BUILT: dict[str, TextClassifier] = {}


def _shipped(build, loaded) -> TextClassifier:
    if "shipped" not in _BUILT:
        _BUILT["shipped"] = build(loaded)
    return _BUILT["shipped"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Craig you absolute muppet, you're a waste of space", Category.ABUSE),
        ("you stupid bitch", Category.ABUSE),
        ("someone should stab that housing officer", Category.THREAT),
        ("Rhys, people round here know your face now. Remember that.", Category.THREAT),
        ("kill them all", Category.THREAT),
        ("the director pays off the council's inspectors", Category.ALLEGATION),
        (
            "What did the manager get in return for giving his brother the contract?",
            Category.ALLEGATION,
        ),
        ("Going to sit outside Janet's house until she calls me back", Category.HARASSMENT),
        ("uploaded the recording of the housing officer to youtube, share it", Category.HARASSMENT),
    ],
)
def test_structure_rules(classifier, text, expected):
    assert expected in categories(classifier, text)


def test_victims_and_lawful_escalation_stay_acceptable(classifier):
    assert categories(classifier, "He shouted that he'd kill my dog, I've told the police") == set()
    assert categories(classifier, "No tenant deserves to die in a damp flat") == set()
    assert categories(classifier, "Calling immigrants vermin is disgusting and racist") == set()
    assert categories(classifier, "I paid off my arrears last month, please check") == set()


def test_a_threshold_moves_its_own_category_and_no_other(classifier):
    texts = [
        *ANGRY_BUT_ACCEPTABLE,
        "you lot are a bunch of clowns",
        "everyone knows the caretaker nicks the copper pipe",
        "I'll be waiting for you after work",
        "Dawn Pritchard lives on Mill Lane, her kids go to St Mary's",
        "immigrants get all the houses round here",
        "this is shit",
    ]
    results = [classifier.classify(text) for text in texts]
    moved = 0
    for category in THRESHOLDS:
        strict = {**THRESHOLDS, category: 0.99}
        loose = {**THRESHOLDS, category: 0.35}
        for result in results:
            at_strict, at_shipped = set(result.labels(strict)), set(result.labels(THRESHOLDS))
            at_loose = set(result.labels(loose))
            assert at_strict <= at_shipped <= at_loose  # raise it, flag less; lower it, more
            assert at_strict - {category} == at_shipped - {category} == at_loose - {category}
            moved += at_loose != at_strict
    assert moved >= 5
