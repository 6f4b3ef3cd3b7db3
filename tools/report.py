"""The filters' figures on every labelled set, side by side, as issue #12 asks for them.

    python tools/report.py                  # dev, housing-dev and the blind sets
    python tools/report.py --config my.yaml # with another config's thresholds

The sets: `shared/data/dev.jsonl` and `shared/data/housing-dev.jsonl` (the project's
developer sets: reported, never tuned on) and `tools/data/blind/` (written by writers who
never saw the training rows or the rules, kept out of tuning too). Cross-validated figures
come from `python tools/train_model.py --cv`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.detect.build import build_classifier  # noqa: E402
from bot.settings.loading import load_config  # noqa: E402
from filters.evaluation import COMPLAINT_SOURCES, LabelledRow, evaluate  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
BLIND = ROOT / "tools" / "data" / "blind"
PUBLIC = {"dev.jsonl": SHARED / "dev.jsonl", "blind public": BLIND / "public-p1.jsonl"}
HOUSING = {
    "housing-dev.jsonl": SHARED / "housing-dev.jsonl",
    "blind housing": [BLIND / "housing-b1.jsonl", BLIND / "housing-b2.jsonl"],
}


def rows_of(paths: Path | list[Path]) -> list[dict]:
    """The labelled rows of one set (one file or several)."""
    out = []
    for path in paths if isinstance(paths, list) else [paths]:
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out


def figures(classifier, thresholds, rows: list[dict]) -> dict[str, float | str]:
    """The issue's measures for one set."""
    labelled = [LabelledRow(r["id"], r.get("source", ""), frozenset(r["labels"])) for r in rows]
    predicted = [[c.value for c in classifier.classify(r["text"]).labels(thresholds)] for r in rows]
    report = evaluate(labelled, predicted)
    per = report.per_category
    out: dict[str, float | str] = {
        "rows": report.rows,
        "any F1": report.any_unacceptable.f1,
        "any precision": report.any_unacceptable.precision,
        "any recall": report.any_unacceptable.recall,
        "FPR acceptable": report.acceptable_fpr.value,
    }
    for category in ("profanity", "abuse", "threat", "discrimination", "allegation", "harassment"):
        if per[category].support:
            out[f"recall {category}"] = per[category].recall
    if "hatecheck" in report.fpr_by_source:
        out["FPR HateCheck non-hateful"] = report.fpr_by_source["hatecheck"].value
    if any(s in report.fpr_by_source for s in COMPLAINT_SOURCES):
        out["FPR real complaints"] = report.complaints_fpr.value
    complaints = [
        r
        for r, p in zip(rows, predicted, strict=True)
        if "acceptable" in r["labels"] and p and _complaint(r)
    ]
    out["complaints flagged"] = len(complaints)
    return out


def _complaint(row: dict) -> bool:
    """Whether an acceptable row is a complaint about the landlord's service (housing sets)."""
    if row.get("source") in COMPLAINT_SOURCES:
        return True
    words = ("repair", "damp", "mould", "leak", "boiler", "heating", "rent", "complain")
    return any(w in row["text"].lower() for w in words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--config", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    loaded = load_config(args.config)
    classifier = build_classifier(loaded)
    thresholds = loaded.settings.thresholds
    results = {
        name: figures(classifier, thresholds, rows_of(paths))
        for name, paths in {**PUBLIC, **HOUSING}.items()
    }
    if args.json:
        print(json.dumps(results, indent=1))
        return
    names = list(results)
    measures = list(dict.fromkeys(k for r in results.values() for k in r))
    print("| measure | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for measure in measures:
        cells = []
        for name in names:
            value = results[name].get(measure, "")
            if isinstance(value, float):
                value = f"{value:.3f}" if "FPR" not in measure else f"{100 * value:.2f} %"
            cells.append(str(value))
        print(f"| {measure} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
