"""The one-pass quick searches answer exactly as the Python patterns they stand for."""

import json
import re
from pathlib import Path

import pytest

import filters.classifier  # noqa: F401  (builds the shipped filters' quick searches)
from bot.detect.build import build_classifier
from bot.settings.loading import load_config
from filters.normalise import fold
from filters.prescan import _SCANS, QuickSearch

ROOT = Path(__file__).resolve().parents[2]
# Texts kept in the repository: our own labelled housing texts and replies, the samples.
CORPORA = [
    *sorted((ROOT / "tools" / "data" / "corpus").glob("*.jsonl")),
    *sorted((ROOT / "config" / "samples").glob("inbox*.jsonl")),
]

TEXTS = [
    "",
    "cat",
    "the cat sat",
    "bobcat",
    "cats and dogs",
    "cat!",
    "Cat",
    "a\x0bb",  # vertical tab: a space to Python's \s, not to RE2's
    "a\x1fb",
    "a b",
    "the end\n",  # Python's "$" also matches before a final newline
    "the end",
    "café cat",  # not ASCII: Python answers
    "écat",
    "x\ny",
    "[]",
]

PATTERNS = [
    r"(?<![a-z])cat(?![a-z])",
    r"(?<!\w)cat",
    r"(?<![^a-z ])cat",
    r"a\sb",
    r"a[\s_]b",
    r"a\Sb",
    r"end$",
    r"end\Z",
    r"c(?=a)at",
    r"(?<!bob)cat",
    r"x.y",
    r"\d",
    r"[a-z]+'s ",
    r"a{,2}b",
    r"\[\]",
]


@pytest.mark.parametrize("source", PATTERNS)
def test_quick_search_agrees_with_python_on_every_text(source):
    pattern = re.compile(source)
    quick = QuickSearch(pattern, scan="test")
    for text in TEXTS:
        assert quick.search(text) == (pattern.search(text) is not None), (source, text)


def test_patterns_re2_reads_otherwise_are_left_to_python():
    for source in (r"end$", r"c(?=a)at", r"(?<!bob)cat", r"a\Sb(?<=b)", r"a{,2}b"):
        assert not QuickSearch(re.compile(source), scan="test").in_scan, source
    for source in (r"(?<![a-z])cat(?![a-z])", r"(?<!\w)cat", r"a\sb", r"[$]x"):
        assert QuickSearch(re.compile(source), scan="test").in_scan, source
    assert not QuickSearch(re.compile("cat", re.IGNORECASE), scan="test").in_scan


def test_a_pattern_added_after_a_scan_is_answered_for_the_same_text():
    text = "the dog barked"
    first = QuickSearch(re.compile("barked"), scan="test-late")
    assert first.search(text)
    late = QuickSearch(re.compile("dog"), scan="test-late")
    assert late.search(text) and first.search(text)
    assert not QuickSearch(re.compile("cow"), scan="test-late").search(text)


def _texts() -> list[str]:
    texts = []
    for path in CORPORA:
        with path.open(encoding="utf-8") as rows:
            texts += [json.loads(line)["text"] for line in rows if line.strip()]
    return texts


def test_every_shipped_quick_search_agrees_with_python_on_real_texts():

    build_classifier(load_config(None))  # the filters built from config add theirs
    shipped = {name: scan for name, scan in _SCANS.items() if not name.startswith("test")}
    assert {"gates", "words"} <= set(shipped)
    assert sum(len(scan.patterns) for scan in shipped.values()) >= 2
    texts = [fold(text).text for text in _texts()]
    assert len(texts) > 2500
    assert sum(text.isascii() for text in texts) > 0.8 * len(texts)  # most are checked
    for text in texts:
        if not text.isascii():
            continue
        for scan in shipped.values():
            found = scan.matches(text)
            for index, pattern in enumerate(scan.patterns):
                assert (index in found) == (pattern.search(text) is not None), (pattern, text)
