"""Speed of the text filters against better-profanity 0.7.0, in one process and one run.

The corpus is the texts of dev.jsonl repeated to 20,000. better-profanity, being slow, runs
on the first 1,000 of them; the parity mode (better-profanity's own word list and
semantics, compiled into one pass) and the full six-category `classify` run on all 20,000.
Rates are texts per CPU second, measured in ten interleaved rounds (a slice of each stage
per round) so that load from other processes on a shared machine falls on all three alike;
the ratios compare per-text cost within this one run. Then `modbot classify` runs over the 20,000 as
a user would (a fresh process, start-up included) and its wall time is reported.

    python benchmarks/bench_filters.py                      # ../shared/data/dev.jsonl
    python benchmarks/bench_filters.py --data path/to/dev.jsonl --texts 20000

Targets (issue #12): parity verdicts identical to better-profanity's on every compared
text and at least 1,000x faster; full classify at least 100x faster; `modbot classify` over
20,000 texts within 10 s wall time including start-up, and over one text within 0.6 s;
peak memory under 400 MB.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "dev.jsonl"
BASELINE_TEXTS = 1_000


def load_corpus(path: Path, count: int) -> list[str]:
    texts = [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    return list(itertools.islice(itertools.cycle(texts), count))


ROUNDS = 10


def timed(function, texts: list[str], results: list) -> float:
    """CPU seconds to run `function` over `texts`, appending what it returns to `results`."""
    start = time.process_time()
    results.extend(function(text) for text in texts)
    return time.process_time() - start


def interleaved(stages: list[tuple[str, object, list[str]]]) -> dict[str, tuple[float, list]]:
    """Texts per CPU second for each stage, run in turns so machine load hits all alike.

    The corpus of each stage is cut into ROUNDS slices; round k runs slice k of every stage.
    CPU time (not wall time) leaves out the time other processes take from ours.
    """
    seconds = {name: 0.0 for name, _, _ in stages}
    results: dict[str, list] = {name: [] for name, _, _ in stages}
    for k in range(ROUNDS):
        for name, function, texts in stages:
            size = len(texts) // ROUNDS
            chunk = texts[k * size : (k + 1) * size if k < ROUNDS - 1 else len(texts)]
            seconds[name] += timed(function, chunk, results[name])
    return {name: (len(texts) / seconds[name], results[name]) for name, _, texts in stages}


def _wall(command: list[str], cwd: str) -> float:
    """Wall seconds of one command run to the end."""
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, capture_output=True, check=True)
    return time.perf_counter() - start


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--texts", type=int, default=20_000)
    args = parser.parse_args()
    if not args.data.exists():
        print(f"{args.data} not found; pass --data path/to/dev.jsonl", file=sys.stderr)
        return 2
    texts = load_corpus(args.data, args.texts)
    baseline_texts = texts[:BASELINE_TEXTS]

    from better_profanity import Profanity

    from bot.detect.build import build_classifier
    from bot.settings.loading import load_config
    from filters.parity import ParityProfanity

    started = time.perf_counter()
    reference = Profanity()
    parity = ParityProfanity()
    classifier = build_classifier(load_config(None))
    build_seconds = time.perf_counter() - started

    measured = interleaved(
        [
            ("baseline", reference.contains_profanity, baseline_texts),
            ("parity", parity.contains_profanity, texts),
            ("classify", classifier.classify, texts),
        ]
    )
    baseline_rate, baseline_verdicts = measured["baseline"]
    parity_rate, parity_verdicts = measured["parity"]
    classify_rate, _ = measured["classify"]
    agree = sum(a == b for a, b in zip(baseline_verdicts, parity_verdicts, strict=False))
    in_process_peak = peak_mb()

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        with corpus.open("w", encoding="utf-8") as handle:
            for n, text in enumerate(texts):
                handle.write(json.dumps({"id": n, "text": text}) + "\n")
        output = Path(tmp) / "out.jsonl"
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bot", "classify", str(corpus), "-o", str(output)],
            cwd=tmp,
            capture_output=True,
            text=True,
        )
        cli_seconds = time.perf_counter() - start
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        cli_rows = sum(1 for _ in output.open())
        one = Path(tmp) / "one.jsonl"
        one.write_text(json.dumps({"id": 1, "text": texts[0]}) + "\n", encoding="utf-8")
        one_seconds = min(
            _wall([sys.executable, "-m", "bot", "classify", str(one)], tmp) for _ in range(3)
        )
    cli_peak = peak_mb(resource.RUSAGE_CHILDREN)

    parity_ratio = parity_rate / baseline_rate
    classify_ratio = classify_rate / baseline_rate
    checks = [
        ("parity verdicts identical", agree == len(baseline_texts)),
        ("parity >= 1000x better-profanity", parity_ratio >= 1000),
        ("classify >= 100x better-profanity", classify_ratio >= 100),
        ("modbot classify 20,000 texts <= 10 s", cli_seconds <= 10 and args.texts >= 20_000),
        ("modbot classify one text <= 0.6 s", one_seconds <= 0.6),
        ("peak memory < 400 MB", max(in_process_peak, cli_peak) < 400),
    ]
    print(f"corpus: {args.data.name} texts repeated to {len(texts):,}")
    print(f"build (better-profanity, parity, classifier): {build_seconds:.2f} s")
    first = len(baseline_texts)
    rows = [
        ("better-profanity contains_profanity", baseline_rate, f"(first {first:,})"),
        ("parity mode contains_profanity", parity_rate, f"{parity_ratio:,.0f}x"),
        ("full classify (six categories)", classify_rate, f"{classify_ratio:,.0f}x"),
    ]
    for name, per_second, note in rows:
        print(f"{name:<36} {per_second:>10,.0f} texts/CPU s  {note:>14}")
    print(f"parity verdict agreement: {agree}/{first} ({agree / first:.2%})")
    print(f"modbot classify over {cli_rows:,} texts: {cli_seconds:.2f} s wall, start-up included")
    print(f"modbot classify over one text: {one_seconds:.2f} s wall (best of 3)")
    print(f"peak memory: this process {in_process_peak:.0f} MB, modbot classify {cli_peak:.0f} MB")
    for name, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
