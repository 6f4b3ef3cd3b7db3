"""Whole moderation passes of the local connector over generated contacts.

Reports contacts per second end to end (ingest, identify, detect, decide, act, register)
and the peak memory of the process, on SQLite and, when MODBOT_TEST_DATABASE_URL is set, on
PostgreSQL. Each measurement runs in a fresh process so peak memory is its own; running two
sizes shows whether memory stays flat as the count grows.

    python benchmarks/bench_pipeline.py                 # 5,000 and 20,000 contacts
    python benchmarks/bench_pipeline.py --sizes 20000   # one size

Targets (issue #2): at least 1,000 contacts/s on SQLite and 500/s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ACCEPTABLE = [
    "Third time asking about the black mould in the back bedroom. When is someone coming?",
    "Still no hot water at {n} Linden Court, it's been four days now.",
    "What the hell is going on with the repairs line? On hold for 50 minutes.",
    "Can someone tell me when the rent statement for this quarter will be sent?",
    "The lift in Cedar House is broken again. My mum can't get down the stairs.",
    "Thanks to the team for fixing the fence so quickly, really appreciated.",
    "The noise from the flat above is still going on at 3am, when will the ASB team act?",
    "I'm going to the Ombudsman about the damp if nobody replies this week.",
    "Why has the service charge gone up 40%? Can we see an itemised bill please?",
    "Absolute joke of a repairs service. Not fit for purpose.",
    "Is the office open over Christmas? Need to drop off a form.",
    "bloody hell, another missed appointment. That's the fourth.",
]
UNACCEPTABLE = [
    "shit service as usual, nobody answers the phone about my leak",
    "Dawn Pritchard you are a useless cow, fix my boiler",
    "you lot are scum, every one of you",
    "tell Marcus Webb he'd better watch his back",
    "everyone knows your director is taking backhanders from the contractors",
    "Marcus Webb lives at 27 Sycamore Rise NN16 8QP, go round and ask him",
    "these immigrants get all the houses, they should all be sent back",
    "f.u.c.k this, still no heating",
]
PLATFORMS = ["facebook", "x", "reddit"]


def generate(path: Path, count: int, seed: int = 7) -> None:
    """Write `count` contacts: about 15% unacceptable, several per account."""
    rng = random.Random(seed)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    accounts = max(1, count // 5)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            account = rng.randrange(accounts)
            platform = PLATFORMS[account % 3]
            pool = UNACCEPTABLE if rng.random() < 0.15 else ACCEPTABLE
            text = rng.choice(pool).format(n=rng.randint(1, 99))
            row = {
                "id": f"b{n}",
                "platform": platform,
                "kind": "comment" if rng.random() < 0.9 else "private_message",
                "author": {"id": f"a{account}", "handle": f"user{account}", "name": ""},
                "text": text,
                "created_at": (start + timedelta(seconds=40 * n)).isoformat(),
            }
            handle.write(json.dumps(row) + "\n")


def measure(backend: str, count: int) -> dict[str, float]:
    """One pass over `count` generated contacts, in this process."""
    import sqlalchemy as sa
    import yaml
    from sqlalchemy.engine import make_url

    from bot.pipeline import Pipeline
    from bot.settings.loading import load_config
    from bot.storage.session import Store

    with tempfile.TemporaryDirectory() as folder:
        folder_path = Path(folder)
        inbox = folder_path / "inbox.jsonl"
        generate(inbox, count)
        admin = None
        if backend == "sqlite":
            url = f"sqlite:///{folder_path / 'bench.db'}"
        else:
            base = make_url(os.environ["MODBOT_TEST_DATABASE_URL"]).set(
                drivername="postgresql+psycopg"
            )
            name = f"modbot_bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            url = base.set(database=name).render_as_string(hide_password=False)
        config = {
            "organisation": {"name": "Bench Housing"},
            "database": {"url": url, "url_env": None},
            "connectors": {
                "local": {
                    "type": "local",
                    "inbox": str(inbox),
                    "outbox": str(folder_path / "outbox.jsonl"),
                }
            },
            "words": {"staff_names": ["Dawn Pritchard", "Marcus Webb"]},
        }
        config_path = folder_path / "config.yaml"
        config_path.write_text(yaml.safe_dump(config))
        try:
            loaded = load_config(config_path)
            store = Store(url)
            store.upgrade()
            pipeline = Pipeline(loaded, store)
            began = time.perf_counter()
            report = pipeline.run_once()
            elapsed = time.perf_counter() - began
            pipeline.close()
            store.dispose()
        finally:
            if admin is not None:
                with admin.connect() as connection:
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    assert report.decided == count, report
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "backend": backend,
        "contacts": count,
        "seconds": round(elapsed, 2),
        "per_second": round(count / elapsed),
        "actions_done": report.run.done,
        "peak_mb": round(peak_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
        return
    backends = ["sqlite"]
    if os.environ.get("MODBOT_TEST_DATABASE_URL"):
        backends.append("postgresql")
    else:
        print("MODBOT_TEST_DATABASE_URL not set: PostgreSQL skipped")
    targets = {"sqlite": 1000, "postgresql": 500}
    print(f"{'backend':<11}{'contacts':>9}{'seconds':>9}{'per s':>8}{'actions':>9}{'peak MB':>9}")
    for backend in backends:
        results = []
        for size in args.sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--child", backend, str(size)],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            results.append(result)
            print(
                f"{backend:<11}{size:>9}{result['seconds']:>9}{result['per_second']:>8}"
                f"{result['actions_done']:>9}{result['peak_mb']:>9}"
            )
        largest = results[-1]
        verdict = "meets" if largest["per_second"] >= targets[backend] else "MISSES"
        print(f"  {backend}: {largest['per_second']}/s {verdict} the {targets[backend]}/s target")
        if len(results) > 1:
            ratio = results[-1]["peak_mb"] / results[0]["peak_mb"]
            print(
                f"  memory at {results[-1]['contacts']} vs {results[0]['contacts']} contacts: "
                f"x{ratio:.2f} for x{results[-1]['contacts'] / results[0]['contacts']:.0f} contacts"
            )


if __name__ == "__main__":
    main()
