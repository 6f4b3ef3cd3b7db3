"""The text filters from the command line: `classify` a JSONL file, `eval` against labels.

Both stream their input line by line (memory stays flat however large the file), name the
file and line of anything malformed, and never touch the database, so they start quickly.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from bot.cli._app import ConfigOption, app, console, errors
from bot.errors import InputError

if TYPE_CHECKING:
    from filters.base import Category
    from filters.classifier import Classification

STDIN = Path("-")


@dataclass(frozen=True, slots=True)
class _Line:
    """One parsed input row and where it came from."""

    number: int
    data: dict[str, Any]


class _BadLine(Exception):
    """A line that cannot be used; the message says why (without the file and line)."""


def _rows(
    path: Path, *, skip_invalid: bool, required: dict[str, type | tuple[type, ...]]
) -> Iterator[_Line]:
    """Parse a JSONL file (or stdin for `-`) lazily, one object a line.

    Blank lines are ignored. A malformed line raises `InputError` naming the file and line,
    or, with `skip_invalid`, is reported on stderr and skipped.
    """
    name = "<stdin>" if path == STDIN else str(path)
    with _open_input(path) as handle, _progress(path) as advance:
        for number, raw in enumerate(handle, start=1):
            advance(len(raw))
            if not raw.strip():
                continue
            try:
                yield _Line(number, _parse(raw, required))
            except _BadLine as exc:
                message = f"{name}, line {number}: {exc}"
                if not skip_invalid:
                    raise InputError(message) from None
                errors.print(Text.assemble(("skipped: ", "yellow"), message), soft_wrap=True)


def _parse(raw: bytes, required: dict[str, type | tuple[type, ...]]) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise _BadLine("not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise _BadLine(f"expected a JSON object, found {type(data).__name__}")
    for key, kind in required.items():
        if key not in data:
            raise _BadLine(f"no {key!r} field")
        if not isinstance(data[key], kind) or isinstance(data[key], bool):
            raise _BadLine(f"{key!r} has the wrong type ({type(data[key]).__name__})")
    return data


@contextlib.contextmanager
def _open_input(path: Path) -> Iterator[IO[bytes]]:
    if path == STDIN:
        yield sys.stdin.buffer
        return
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    with handle:
        yield handle


@contextlib.contextmanager
def _progress(path: Path) -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal; a no-op otherwise (pipes, CI, tests)."""
    if not errors.is_terminal:
        yield lambda _n: None
        return
    total = path.stat().st_size if path != STDIN and path.is_file() else None
    columns = [TextColumn("classifying"), BarColumn(), TaskProgressColumn()]
    with Progress(*columns, TimeRemainingColumn(), console=errors, transient=True) as bar:
        task = bar.add_task("classify", total=total)
        yield lambda n: bar.advance(task, n)


@contextlib.contextmanager
def _open_output(path: Path | None) -> Iterator[IO[str]]:
    """stdout, or a file written in full or not at all (a temporary file renamed at the end)."""
    if path is None or path == STDIN:
        yield sys.stdout
        sys.stdout.flush()
        return
    directory = path.resolve().parent
    if not directory.is_dir():
        raise InputError(f"{path}: the folder {directory} does not exist")
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _output_row(row_id: Any, result: Classification, labels: list[Category]) -> dict[str, Any]:
    labelled = set(labels)
    findings = []
    for finding in result.findings:
        if finding.category not in labelled:
            continue
        start = finding.spans[0].start if finding.spans else None
        end = finding.spans[-1].end if finding.spans else None
        findings.append(
            {
                "category": finding.category.value,
                "rule": finding.rule,
                "start": start,
                "end": end,
                "evidence": finding.evidence,
            }
        )
    return {
        "id": row_id,
        "labels": [c.value for c in labels],
        "scores": {c.value: round(s, 4) for c, s in result.scores.items()},
        "findings": findings,
    }


InputArgument = Annotated[
    Path,
    typer.Argument(help="A JSONL file, one object a line with `id` and `text`; `-` for stdin."),
]


@app.command()
def classify(
    input_path: InputArgument,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Where to write results (default: stdout).", dir_okay=False
        ),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Report malformed lines on stderr and go on."),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Classify every text in a JSONL file, writing one result row per input row, in order.

    Each output row is {"id", "labels", "scores", "findings"}: `labels` is empty for
    acceptable text, `scores` holds all six categories (0 to 1) and `findings` the rules
    that fired in the labelled categories, with start/end offsets into the text. Other input
    fields are ignored. Large files stream; nothing is stored.
    """
    from bot.detect.build import build_classifier
    from bot.settings.loading import load_config

    loaded = load_config(config)
    classifier = build_classifier(loaded)
    thresholds = loaded.settings.thresholds
    required: dict[str, type | tuple[type, ...]] = {"id": (str, int, float), "text": str}
    with _open_output(output) as sink:
        for line in _rows(input_path, skip_invalid=skip_invalid, required=required):
            result = classifier.classify(line.data["text"])
            row = _output_row(line.data["id"], result, result.labels(thresholds))
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")


@app.command(name="eval")
def eval_command(
    file: Annotated[
        Path, typer.Argument(help="A labelled JSONL file: `text`, `labels` and `source`.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Score the filters against a labelled file, at the configured thresholds.

    Prints precision, recall and F1 per category and for "any unacceptable", and the
    false-positive rate on acceptable rows, overall, per source and on real complaints. A
    category counts as found only if it is among the labels given. Where a file's labels are
    "at least these" (dev.jsonl), per-category precision is a lower bound.
    """
    from bot.detect.build import build_classifier
    from bot.settings.loading import load_config
    from filters.evaluation import CATEGORY_NAMES, LabelledRow, evaluate

    loaded = load_config(config)
    classifier = build_classifier(loaded)
    thresholds = loaded.settings.thresholds
    known = {*CATEGORY_NAMES, "acceptable"}
    rows: list[LabelledRow] = []
    predicted: list[list[str]] = []
    required: dict[str, type | tuple[type, ...]] = {"text": str, "labels": list}
    for line in _rows(file, skip_invalid=False, required=required):
        labels = line.data["labels"]
        unknown = [x for x in labels if x not in known]
        if unknown or not labels:
            problem = f"unknown labels {unknown}" if unknown else "empty 'labels'"
            raise InputError(f"{file}, line {line.number}: {problem}; use {sorted(known)}")
        source = str(line.data.get("source", "unknown"))
        rows.append(LabelledRow(str(line.data.get("id", line.number)), source, frozenset(labels)))
        result = classifier.classify(line.data["text"])
        predicted.append([c.value for c in result.labels(thresholds)])
    if not rows:
        raise InputError(f"{file}: no labelled rows")
    report = evaluate(rows, predicted)
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
        return
    _print_report(file, report)


def _print_report(file: Path, report: Any) -> None:
    from filters.evaluation import REAL_COMPLAINTS

    table = Table(title=f"{file} — {report.rows} rows")
    for column in ("category", "precision", "recall", "F1", "rows"):
        table.add_column(column, justify="left" if column == "category" else "right")
    for name, prf in [*report.per_category.items(), ("any unacceptable", report.any_unacceptable)]:
        table.add_row(
            name, f"{prf.precision:.3f}", f"{prf.recall:.3f}", f"{prf.f1:.3f}", str(prf.support)
        )
    console.print(table)
    rates = Table(title="False-positive rate on acceptable rows")
    for column in ("rows", "flagged", "of", "rate"):
        rates.add_column(column, justify="left" if column == "rows" else "right")

    def add(name: str, rate: Any) -> None:
        rates.add_row(name, str(rate.count), str(rate.total), f"{rate.value:.2%}")

    add("all acceptable", report.acceptable_fpr)
    for source, rate in report.fpr_by_source.items():
        add(f"  {source}", rate)
    if report.complaints_fpr.total:
        add("real complaints", report.complaints_fpr)
    console.print(rates)
    if report.complaints_fpr.total:
        console.print(f"[dim]{REAL_COMPLAINTS}.[/]")
    console.print(
        "[dim]A category counts as found only if it is among our labels; where labels are "
        '"at least these" (dev.jsonl) per-category precision is a lower bound.[/]'
    )
