"""`modbot classify` and `modbot eval` as a user runs them: real processes, real files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.processes import modbot

SIX = {"profanity", "abuse", "threat", "discrimination", "allegation", "harassment"}


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


ROWS = [
    {"id": "a", "text": "The black mould is back, what the hell are you doing about it?", "x": 1},
    {"id": 2, "text": "watch your back Dawn, I know where you live"},
    {"id": "c", "text": "this is sh1t"},
]


def test_classify_writes_one_row_per_input_in_order(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    done = modbot("classify", str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in out] == ["a", 2, "c"]
    for row in out:
        assert set(row) == {"id", "labels", "scores", "findings"}
        assert set(row["scores"]) == SIX
        assert all(0.0 <= v <= 1.0 for v in row["scores"].values())
    assert out[0]["labels"] == [] and out[0]["findings"] == []
    assert "threat" in out[1]["labels"]
    assert out[2]["labels"] == ["profanity"]
    [finding] = out[2]["findings"]
    assert finding == {
        "category": "profanity",
        "rule": "profanity:word:shit",
        "start": 8,
        "end": 12,
        "evidence": "sh1t",
    }


def test_classify_reads_stdin_and_writes_a_file(tmp_path):
    stdin = "".join(json.dumps(r) + "\n" for r in ROWS)
    done = modbot("classify", "-", "-o", "out.jsonl", cwd=tmp_path, stdin=stdin)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert len(lines) == 3 and json.loads(lines[2])["id"] == "c"


def test_malformed_line_stops_with_its_number(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(ROWS[0]) + "\n{not json\n" + json.dumps(ROWS[2]) + "\n")
    done = modbot("classify", str(source), "-o", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 2
    assert f"{source}, line 2: not valid JSON" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.jsonl").exists()  # all or nothing


def test_skip_invalid_reports_each_bad_line_and_goes_on(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(ROWS[0])
        + "\n{not json\n"
        + json.dumps({"id": "no text"})
        + "\n"
        + json.dumps(ROWS[2])
        + "\n"
    )
    done = modbot("classify", str(source), "--skip-invalid", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "line 2: not valid JSON" in done.stderr
    assert "line 3: no 'text' field" in done.stderr
    assert [json.loads(x)["id"] for x in done.stdout.splitlines()] == ["a", "c"]


def test_eval_prints_figures_and_json(tmp_path):
    labelled = write_jsonl(
        tmp_path / "labelled.jsonl",
        [
            {"id": "1", "text": "you useless idiot", "labels": ["abuse"], "source": "mine"},
            {"id": "2", "text": "this is shit", "labels": ["profanity"], "source": "mine"},
            {"id": "3", "text": "the boiler is broken", "labels": ["acceptable"], "source": "cfpb"},
            {"id": "4", "text": "lovely day", "labels": ["acceptable"], "source": "mine"},
        ],
    )
    done = modbot("eval", str(labelled), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["rows"] == 4
    assert figures["per_category"]["abuse"]["recall"] == 1.0
    assert figures["any_unacceptable"]["f1"] == 1.0
    assert figures["fpr_acceptable"] == {"rate": 0.0, "flagged": 0, "rows": 2}
    assert figures["fpr_real_complaints"]["rows"] == 1
    table = modbot("eval", str(labelled), cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "any unacceptable" in table.stdout and "real complaints" in table.stdout


def test_eval_rejects_unknown_labels_with_the_line(tmp_path):
    labelled = write_jsonl(tmp_path / "bad.jsonl", [{"text": "x", "labels": ["rude"]}])
    done = modbot("eval", str(labelled), cwd=tmp_path)
    assert done.returncode == 2
    assert "bad.jsonl, line 1: unknown labels ['rude']" in done.stderr
