"""The learned scorer: shipped, loaded offline and deterministically, and sensible."""

import gzip
import json

import pytest

from bot.paths import shipped
from filters.base import Category
from filters.classifier import TextClassifier
from filters.normalise import fold
from filters.scorer import DEFAULT_MODEL, FORMAT, GROUP, LinearScorer, features


@pytest.fixture(scope="module")
def scorer() -> LinearScorer:
    return LinearScorer.load()


def test_model_ships_inside_the_package():
    assert DEFAULT_MODEL.parent.name == "models" and DEFAULT_MODEL.parent.parent.name == "filters"
    with gzip.open(DEFAULT_MODEL, "rt") as handle:
        data = json.load(handle)
    assert data["format"] == FORMAT
    assert set(data["categories"]) == {c.value for c in Category if not c.is_behaviour}


def test_loading_twice_gives_identical_scores(scorer):
    again = LinearScorer.load()
    text = fold("you lot are a bunch of useless idiots and I will find you").text
    assert scorer.score(text) == again.score(text)


def test_features_are_words_pairs_and_groups():
    assert features("gay people are welcome") == [
        f"w={GROUP}",
        "w=people",
        "w=are",
        "w=welcome",
        f"b={GROUP} people",
        "b=people are",
        "b=are welcome",
    ]


def test_scores_make_sense(scorer):
    def p(text: str, category: Category) -> float:
        return scorer.score(fold(text).text)[category].probability

    assert p("I am going to kill you and your family", Category.THREAT) > 0.9
    assert p("thanks for fixing the boiler so quickly", Category.THREAT) < 0.3
    assert p("you are a worthless piece of trash", Category.ABUSE) > 0.7
    assert p("can you send someone to look at the damp", Category.ABUSE) < 0.5


def test_scorer_findings_name_their_strongest_features():
    classifier = TextClassifier.build(shipped("words"))
    result = classifier.classify("all of them deserve a bullet in the head, every last one")
    [finding] = [f for f in result.findings if f.rule.startswith("threat:model:")] or [None]
    assert finding is not None
    assert finding.rule.removeprefix("threat:model:").split(",")[0].startswith(("w=", "b="))
    assert finding.spans and finding.evidence


def test_rules_only_classifier_has_no_model_findings():
    rules_only = TextClassifier.build(shipped("words"), scorer=None)
    result = rules_only.classify("you are a worthless piece of trash")
    assert not any(":model:" in f.rule for f in result.findings)


def test_reported_speech_keeps_the_scorer_quiet():
    classifier = TextClassifier.build(shipped("words"))
    result = classifier.classify("my neighbour shouted that he'd kill me and burn the flat")
    assert not any(f.category is Category.THREAT for f in result.findings)


def test_training_is_reproducible(tmp_path):
    """Two trainings on the same rows write byte-identical models that load and score."""
    import importlib.util
    import sys

    path = shipped("..", "tools", "train_scorer.py").resolve()
    if not path.exists():
        pytest.fail("tools/train_scorer.py is missing")
    spec = importlib.util.spec_from_file_location("train_scorer", path)
    train = importlib.util.module_from_spec(spec)
    sys.modules["train_scorer"] = train
    spec.loader.exec_module(train)
    rows = train.read_rows(path.parent / "data" / "housing-train.jsonl", require_licence=True)
    first = train.write(train.fit(rows), tmp_path / "a.json.gz")
    second = train.write(train.fit(rows), tmp_path / "b.json.gz")
    assert first == second
    model = LinearScorer.load(tmp_path / "a.json.gz")
    assert model.score(fold("I know where you live").text)[Category.THREAT].probability > 0.5
