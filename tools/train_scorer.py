"""Train the learned scorer shipped in `filters/models/scorer.json.gz`, reproducibly.

    python tools/train_scorer.py                 # train on the default data, write the model
    python tools/train_scorer.py --cv-report     # also: dev figures by cross-validation

Training data (all permissively licensed, see shared/data/README.md):
  * `shared/data/train.jsonl`: Davidson (MIT), HateCheck, ConvAbuse, ThreatGram 101
    (CC-BY-4.0) and CFPB (public domain) rows; any row with another licence is refused;
  * the ConvAbuse and HateCheck rows of `shared/data/dev.jsonl` (CC-BY-4.0), which the data
    README allows for training provided dev figures for them are then taken by
    cross-validation (`--cv-report`); `--no-dev-rows` leaves them out;
  * `tools/data/housing-train.jsonl` and `tools/data/replies-train.jsonl`: modbot's own
    hand-written UK housing examples and replies/comments (insults aimed at people without
    a swear word, with harmless twins of the same shape; see tools/data/README.md).
Never `housing-dev.jsonl`, and no other dev.jsonl rows: those are for measuring.

Labels in the public files are "at least these": a row labelled `profanity` may also be
abusive. So for each category the positives are the rows carrying it and the negatives are
the rows known not to: `acceptable` rows, and our own rows (whose labels are exhaustive).
Other rows are left out of that category's model.

Model: TF-IDF over `filters.scorer.features` (words and word pairs of the folded text, with
spellings folded, group names as one token and negated words marked), one logistic
regression per category (liblinear, class-balanced, C=10, fixed seed), then Platt
scaling fitted on out-of-fold decision values so a score of 0.5 means even odds. The
weights are written as JSON (sorted keys, rounded, gzip without a timestamp), so the same
data always gives a byte-identical file, and the script checks that `LinearScorer` scores
a sample exactly as scikit-learn does.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from filters.base import TEXT_CATEGORIES  # noqa: E402
from filters.normalise import fold  # noqa: E402
from filters.scorer import FORMAT, LinearScorer, features  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
HOUSING = ROOT / "tools" / "data" / "housing-train.jsonl"
REPLIES = ROOT / "tools" / "data" / "replies-train.jsonl"
OUT = ROOT / "filters" / "models" / "scorer.json.gz"
PERMISSIVE = {"MIT", "CC-BY-4.0", "public-domain"}
DEV_TRAINABLE = {"convabuse", "hatecheck"}  # CC-BY-4.0 sources of dev.jsonl
OWN_SOURCES = frozenset({"modbot-housing", "modbot-replies"})
SEED = 1337
# Chosen by cross-validation (--cv-report): 4 -> any-unacceptable F1 0.852, 10 -> 0.865,
# 20 -> 0.864 at the same false-positive limits.
C = 10.0
MIN_DF = 2  # a feature must occur in this many training texts
NORMALISE = True  # L2-normalised TF-IDF rows (False: plain sums; tried, no better)
OWN_WEIGHT = 3.0  # our housing rows are few but closest to what the bot will read
CATEGORIES = [c.value for c in TEXT_CATEGORIES]
# HateCheck fills one template with several identities; fold those away so every
# instance of a template lands in the same cross-validation fold.
IDENTITIES = re.compile(
    r"\b(?:women|woman|female|trans(?: people| person)?|gay(?: people| person)?|black"
    r"(?: people| person)?|disabled(?: people| person)?|muslims?|immigrants?)\b"
)


@dataclass
class Row:
    """One labelled text as training reads it."""

    id: str
    text: str
    labels: frozenset[str]
    source: str


def read_rows(path: Path, *, require_licence: bool) -> list[Row]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        data = json.loads(line)
        if require_licence and data.get("licence") not in PERMISSIVE:
            raise SystemExit(f"{path}, line {number}: licence {data.get('licence')!r} refused")
        rows.append(Row(data["id"], data["text"], frozenset(data["labels"]), data["source"]))
    return rows


def training_rows(data: Path, *, dev_rows: bool) -> tuple[list[Row], list[Row]]:
    """(rows always trained on, the dev.jsonl rows that may be trained on)."""
    base = read_rows(data / "train.jsonl", require_licence=True)
    base += read_rows(HOUSING, require_licence=True)
    base += read_rows(REPLIES, require_licence=True)
    extra = [
        r for r in read_rows(data / "dev.jsonl", require_licence=False) if r.source in DEV_TRAINABLE
    ]
    return base, extra if dev_rows else []


def analyse(text: str) -> list[str]:
    return features(fold(text).text)


def targets(rows: Sequence[Row], category: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices, 0/1 targets and sample weights of the rows usable for one category."""
    index, y, weight = [], [], []
    for i, row in enumerate(rows):
        if category in row.labels:
            label = 1
        elif "acceptable" in row.labels or row.source in OWN_SOURCES:
            label = 0
        else:
            continue
        index.append(i)
        y.append(label)
        weight.append(OWN_WEIGHT if row.source in OWN_SOURCES else 1.0)
    return np.array(index), np.array(y), np.array(weight)


def fit(rows: Sequence[Row]) -> dict:
    """Train on `rows`; return the model as the JSON-ready dict `LinearScorer` reads."""
    vectoriser = TfidfVectorizer(
        analyzer=analyse,
        binary=True,
        min_df=MIN_DF,
        dtype=np.float64,
        norm="l2" if NORMALISE else None,
    )
    matrix = vectoriser.fit_transform([r.text for r in rows])
    vocabulary = vectoriser.get_feature_names_out()
    idf = vectoriser.idf_
    weights, intercepts, calibration = [], [], []
    for category in CATEGORIES:
        index, y, weight = targets(rows, category)
        model = LogisticRegression(
            C=C, class_weight="balanced", solver="liblinear", random_state=SEED, max_iter=5000
        )
        x = matrix[index]
        model.fit(x, y, sample_weight=weight)
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
        held_out = cross_val_predict(
            model, x, y, cv=folds, method="decision_function", params={"sample_weight": weight}
        )
        platt = LogisticRegression(class_weight="balanced", solver="liblinear", random_state=SEED)
        platt.fit(held_out.reshape(-1, 1), y)
        weights.append(model.coef_[0] * idf)
        intercepts.append(float(model.intercept_[0]))
        calibration.append([float(platt.coef_[0][0]), float(platt.intercept_[0])])
    table = {
        name: [round(float(idf[j] ** 2), 6)] + [round(float(w[j]), 6) for w in weights]
        for j, name in enumerate(vocabulary)
    }
    model = {
        "format": FORMAT,
        "categories": CATEGORIES,
        "intercepts": [round(x, 6) for x in intercepts],
        "calibration": [[round(a, 6), round(b, 6)] for a, b in calibration],
        "features": table,
        "normalise": NORMALISE,
    }
    _check_against_sklearn(model, vectoriser, weights, intercepts, calibration, rows)
    return model


def _check_against_sklearn(model, vectoriser, weights, intercepts, calibration, rows) -> None:
    """`LinearScorer` must score exactly as the trained scikit-learn pipeline does."""
    scorer = scorer_from(model)
    sample = [r.text for r in rows[:: max(1, len(rows) // 300)]]
    matrix = vectoriser.transform(sample)
    for category_index, category in enumerate(scorer.categories):
        # weights already hold coef * idf, so undo the idf to compare with coef . x
        z = matrix @ (weights[category_index] / vectoriser.idf_) + intercepts[category_index]
        a, b = calibration[category_index]
        expected = 1 / (1 + np.exp(-(a * z + b)))
        got = [scorer.score(fold(t).text, explain=0)[category].probability for t in sample]
        worst = float(np.max(np.abs(expected - np.array(got))))
        if worst > 1e-4:
            raise SystemExit(f"LinearScorer differs from scikit-learn on {category}: {worst}")


def scorer_from(model: dict) -> LinearScorer:
    from filters.base import Category

    return LinearScorer(
        [Category(c) for c in model["categories"]],
        model["features"],
        model["intercepts"],
        [tuple(x) for x in model["calibration"]],
        model.get("normalise", True),
    )


def write(model: dict, path: Path) -> str:
    """Write the model byte-for-byte reproducibly; return its SHA-256."""
    payload = json.dumps(model, sort_keys=True, separators=(",", ":")).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(payload)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cv_report(data: Path, base: list[Row], extra: list[Row], full: dict, folds: int = 5) -> None:
    """dev.jsonl and housing-dev.jsonl figures, with the dev rows we train on cross-validated.

    Each trainable dev row is classified by a model trained without its fold; every other
    row by the shipped model. Figures are computed as `modbot eval` computes them.
    """
    from bot.paths import shipped
    from bot.settings.loading import load_config
    from filters.classifier import TextClassifier
    from filters.evaluation import LabelledRow, evaluate

    settings = load_config(None).settings
    thresholds = settings.thresholds
    cuts = settings.scorer.cuts or None

    def labels_with(model: dict, rows: Sequence[Row]) -> dict[str, list[str]]:
        classifier = TextClassifier.build(
            shipped("words"), scorer=scorer_from(model), model_cuts=cuts
        )
        return {
            r.id: [c.value for c in classifier.classify(r.text).labels(thresholds)] for r in rows
        }

    dev = read_rows(data / "dev.jsonl", require_licence=False)
    predicted = labels_with(full, [r for r in dev if r.source not in DEV_TRAINABLE])
    groups = sorted({_group(r) for r in extra})
    for fold_number in range(folds):
        held = {g for i, g in enumerate(groups) if i % folds == fold_number}
        train = base + [r for r in extra if _group(r) not in held]
        test = [r for r in extra if _group(r) in held]
        predicted.update(labels_with(fit(train), test))
        print(f"  fold {fold_number + 1}/{folds} done", file=sys.stderr)
    for name, rows in (
        ("dev.jsonl", dev),
        ("housing-dev.jsonl", read_rows(data / "housing-dev.jsonl", require_licence=False)),
    ):
        if name == "housing-dev.jsonl":
            predicted.update(labels_with(full, rows))
        report = evaluate(
            [LabelledRow(r.id, r.source, r.labels) for r in rows], [predicted[r.id] for r in rows]
        )
        print(f"== {name} (trainable dev rows cross-validated) ==")
        print(json.dumps(report.as_dict(), indent=1))
        print(summary(report, rows, predicted))


def summary(report, rows: Sequence[Row], predicted: dict[str, list[str]]) -> str:
    """The targets of issue #3 in a few lines, with recall per source for each category."""
    any_ = report.any_unacceptable
    lines = [
        f"any-unacceptable F1 {any_.f1:.3f} (P {any_.precision:.3f}, R {any_.recall:.3f}); "
        f"FPR acceptable {report.acceptable_fpr.value:.2%} "
        f"({report.acceptable_fpr.count}/{report.acceptable_fpr.total}); "
        f"FPR real complaints {report.complaints_fpr.value:.2%} "
        f"({report.complaints_fpr.count}/{report.complaints_fpr.total})"
    ]
    for category, prf in report.per_category.items():
        if not prf.support:
            continue
        by_source: dict[str, list[int]] = {}
        for row in rows:
            if category in row.labels:
                hits = by_source.setdefault(row.source, [0, 0])
                hits[0] += category in predicted[row.id]
                hits[1] += 1
        sources = ", ".join(f"{s} {a}/{b}" for s, (a, b) in sorted(by_source.items()))
        lines.append(f"recall {category} {prf.recall:.3f} ({sources})")
    return "\n".join(lines)


def _group(row: Row) -> str:
    if row.source == "hatecheck":
        return "hatecheck:" + IDENTITIES.sub("*", row.text.lower())
    return row.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder with train/dev jsonl")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-dev-rows", action="store_true", help="train on train.jsonl only")
    parser.add_argument("--cv-report", action="store_true", help="dev figures by CV")
    args = parser.parse_args()
    base, extra = training_rows(args.data, dev_rows=not args.no_dev_rows)
    model = fit(base + extra)
    digest = write(model, args.out)
    print(f"wrote {args.out} ({len(model['features']):,} features, sha256 {digest[:16]})")
    if args.cv_report:
        cv_report(args.data, base, extra, model)


if __name__ == "__main__":
    main()
