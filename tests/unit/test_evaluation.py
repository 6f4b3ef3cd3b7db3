"""The figures `modbot eval` prints, computed on a small set worked out by hand."""

from filters.evaluation import LabelledRow, evaluate


def row(n: int, source: str, *labels: str) -> LabelledRow:
    return LabelledRow(str(n), source, frozenset(labels))


def test_figures_by_hand():
    rows = [
        row(1, "olid", "abuse"),
        row(2, "olid", "abuse", "profanity"),
        row(3, "olid", "acceptable"),
        row(4, "cfpb", "acceptable"),
        row(5, "cfpb", "acceptable"),
        row(6, "hatecheck", "threat"),
    ]
    predicted = [["abuse"], ["profanity"], ["abuse"], [], ["threat"], []]
    report = evaluate(rows, predicted)
    abuse = report.per_category["abuse"]
    assert (abuse.tp, abuse.fp, abuse.fn) == (1, 1, 1)  # row 2's abuse not among our labels
    assert report.per_category["profanity"].recall == 1.0
    assert report.per_category["threat"].recall == 0.0
    anything = report.any_unacceptable
    assert (anything.tp, anything.fp, anything.fn) == (2, 2, 1)
    assert round(anything.f1, 4) == round(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3), 4)
    assert (report.acceptable_fpr.count, report.acceptable_fpr.total) == (2, 3)
    assert report.fpr_by_source["cfpb"].value == 0.5
    assert report.fpr_by_source["olid"].value == 1.0
    # cfpb is a complaint source, olid is not.
    assert (report.complaints_fpr.count, report.complaints_fpr.total) == (1, 2)
    data = report.as_dict()
    assert data["fpr_real_complaints"]["rate"] == 0.5
    assert "cfpb" in data["fpr_real_complaints"]["definition"]
