"""The text model's reading of a text: placeholders, context marks, features, explanations."""

import numpy as np
import pytest

from filters.base import TEXT_CATEGORIES, Category
from filters.model import (
    BUCKETS,
    TextModel,
    _occurrences,
    features,
    prepare,
    tokens,
    write,
)
from filters.normalise import fold
from filters.phrases import WIDTHS, PhraseModel
from filters.vectors import PieceVectors


def test_structure_becomes_placeholder_words_and_maps_back():
    text = fold("ring Priya on 07700 900123 or priya.k@gmail.com, she's at 12 Acacia Avenue").text
    prepared = prepare(text)
    assert "xphonex" in prepared.text and "xemailx" in prepared.text
    assert "xaddressx" in prepared.text and "07700" not in prepared.text
    at = prepared.text.index("xphonex")
    start, end = prepared.source(at, at + len("xphonex"))
    assert text[start:end] == "07700 900123"
    after = prepared.text.index(", she")
    start, end = prepared.source(after + 2, after + 5)
    assert text[start:end] == "she"


def test_a_text_without_structure_is_left_alone():
    prepared = prepare("the boiler is broken again")
    assert prepared.text == "the boiler is broken again" and prepared.swaps == ()
    assert prepared.source(4, 10) == (4, 10)


def test_quoted_and_negated_words_are_marked_until_the_clause_ends():
    toks = tokens('he called me a "scrounger" and i don\'t want to die. i will go', where=True)
    marked = dict(zip(toks.words, zip(toks.quoted, toks.negated, strict=True), strict=True))
    assert marked["scrounger"] == (True, False)
    assert marked["want"] == (False, True) and marked["die"] == (False, True)
    assert marked["go"] == (False, False)  # the full stop ended the negation
    assert toks.starts and len(toks.starts) == len(toks.words)


def test_features_are_the_distinct_buckets_of_every_occurrence():
    for text in ["I know where she lives", 'she said "you\'re dead" and I never replied', "", "ok"]:
        prepared = prepare(fold(text).text)
        found = features(prepared)
        occurrences = {b for b, _, _ in _occurrences(tokens(prepared.text, where=True))}
        assert set(found) == occurrences and len(found) == len(set(found))
        assert all(0 <= b < BUCKETS for b in found)
    # The same text always gives the same features (hashes are not salted per process).
    assert set(features(prepare("watch your back"))) == set(features(prepare("watch your back")))


def _model(tmp_path, word: str, calibration: np.ndarray) -> TextModel:
    """A model that knows one thing: `word` is threatening."""
    weights = np.zeros((len(TEXT_CATEGORIES), BUCKETS), dtype=np.float32)
    for bucket, _, _ in _occurrences(tokens(word, where=True)):
        weights[TEXT_CATEGORIES.index(Category.THREAT), bucket] = 2.0
    write(tmp_path / "m.npz", list(TEXT_CATEGORIES), weights, np.zeros(6), calibration)
    return TextModel.load(tmp_path / "m.npz")


def test_probabilities_and_reasons_come_from_the_weights(tmp_path):
    model = _model(tmp_path, "batter", np.tile([1.0, 0.0], (6, 1)))
    high = model.probabilities(prepare("i will batter him"))
    low = model.probabilities(prepare("the batter for the pancakes"))
    assert high[Category.THREAT] > 0.5 and high[Category.ABUSE] == pytest.approx(0.5)
    assert low[Category.THREAT] < high[Category.THREAT]  # a longer text dilutes one word
    text = fold("I will BATTER him").text
    [reason] = model.reasons(prepare(text), Category.THREAT, limit=1)
    assert text[reason.start : reason.end] == "batter" and reason.feature == "batter"


def test_a_calibration_for_two_models_needs_the_phrase_model(tmp_path):
    weights = np.zeros((6, BUCKETS), dtype=np.float32)
    with pytest.raises(ValueError, match="does not match"):
        TextModel(list(TEXT_CATEGORIES), weights, np.zeros(6), np.zeros((6, 3)))


def test_the_phrase_model_reads_windows_of_pieces():
    table = PieceVectors(["bad", "good", "##s"], np.eye(3, 4, dtype=np.float32))
    data = {
        "categories": np.array([c.value for c in TEXT_CATEGORIES]),
        "pieces": np.array(["bad", "good", "##s"]),
        "embed": table.vectors.astype(np.float16),
        "out_w": np.ones((6, len(WIDTHS)), dtype=np.float32),
        "out_b": np.zeros(6, dtype=np.float32),
    }
    for width in WIDTHS:
        weight = np.zeros((1, 4, width), dtype=np.float32)
        weight[0, 0, 0] = 1.0  # fires on "bad" in a window's first place
        data[f"conv{width}_w"] = weight
        data[f"conv{width}_b"] = np.zeros(1, dtype=np.float32)
    model = PhraseModel(data)
    assert model.vectors.pieces("goods bad") == [1, 2, 0]
    assert model.logits("bad")[0] == pytest.approx(len(WIDTHS))  # every width sees it
    assert model.logits("good")[0] == pytest.approx(0.0)
    assert model.logits("")[0] == pytest.approx(0.0)


def test_the_phrase_model_matches_a_plain_convolution_on_random_weights():
    """Kept per-piece products give what sliding each filter over the text gives."""
    rng = np.random.default_rng(7)
    pieces = ["a", "b", "c", "d", "##e"]
    data = {
        "categories": np.array([c.value for c in TEXT_CATEGORIES]),
        "pieces": np.array(pieces),
        "embed": rng.normal(size=(5, 8)).astype(np.float16),
        "out_w": rng.normal(size=(6, 3 * len(WIDTHS))).astype(np.float32),
        "out_b": rng.normal(size=6).astype(np.float32),
    }
    for width in WIDTHS:
        data[f"conv{width}_w"] = rng.normal(size=(3, 8, width)).astype(np.float32)
        data[f"conv{width}_b"] = rng.normal(size=3).astype(np.float32)
    model = PhraseModel(data)

    def plain(text: str) -> np.ndarray:
        rows = model.vectors.pieces(text)
        block = np.zeros((max(len(rows), max(WIDTHS)), 8), dtype=np.float32)
        block[: len(rows)] = model.vectors.vectors[rows]
        pooled = []
        for width in WIDTHS:
            w, b = data[f"conv{width}_w"], data[f"conv{width}_b"]
            outs = [
                np.einsum("fdw,wd->f", w, block[i : i + width]) + b
                for i in range(len(block) - width + 1)
            ]
            pooled.append(np.maximum(np.array(outs), 0).max(axis=0))
        return np.concatenate(pooled) @ data["out_w"].T + data["out_b"]

    for text in ["a b c d", "d c be a a b", "c", "", "b b b b b b b b"]:
        assert model.logits(text) == pytest.approx(plain(text), abs=1e-4)
        assert model.logits(text) == pytest.approx(plain(text), abs=1e-4)  # kept products


def test_someone_elses_reported_words_are_marked_and_the_writers_own_are_not():
    toks = tokens("he shouted that he'd kill my dog, so i told him i'd kill him")
    reported = [w for w, r in zip(toks.words, toks.reported, strict=True) if r]
    assert reported == ["that", "he'd", "kill", "my", "dog"]  # the comma ends the clause
    assert tokens("she said i'm a grass").reported == [False, False, True, True, True]


def test_a_group_name_carries_no_feature_of_its_own():
    """Only the words around a group can make a text about it unacceptable."""
    assert len(features(prepare(fold("gay").text))) == 0
    assert len(features(prepare(fold("Muslims").text))) == 0
    alone = set(features(prepare("immigrants are")))
    assert alone == set(features(prepare("women are")))  # the same pairs with the placeholder


def test_a_damaged_model_file_is_named_not_a_traceback(tmp_path):
    truncated = tmp_path / "text-model.npz"
    truncated.write_bytes(b"PK\x03\x04 not a whole zip file")
    with pytest.raises(ValueError, match=r"text-model\.npz: damaged or not a"):
        TextModel.load(truncated)
    np.savez(tmp_path / "other.npz", something=np.zeros(2))
    with pytest.raises(ValueError, match=r"other\.npz: damaged or not a"):
        TextModel.load(tmp_path / "other.npz")
    with pytest.raises(ValueError, match=r"phrase\.npz: damaged or not a"):
        PhraseModel.load(_copy(truncated, tmp_path / "phrase.npz"))


def _copy(source, target):
    target.write_bytes(source.read_bytes())
    return target
