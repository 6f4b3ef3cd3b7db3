"""Webhook load: signed Facebook and X deliveries from many clients to `modbot serve`.

Starts `modbot serve` on PostgreSQL (a fresh database made for the run) with a Facebook
Page and an X account whose API is a fake server on 127.0.0.1, then sends `--deliveries`
deliveries from `--clients` concurrent clients: half Facebook comments, half X mentions,
about 10% of them sent twice and 5% forged (a wrong signature). It checks that every genuine
delivery was stored exactly once and every forged one refused (403), then waits for
moderation to decide everything stored. It prints deliveries per second, p50 and p99
latency, the server's peak memory, and how long moderation took after the burst.

    MODBOT_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        python benchmarks/bench_webhooks.py [--deliveries 5000 --clients 50]

Targets (issue #15): at least 300 deliveries/s on the 2-core machine, p99 under 500 ms,
memory bounded, moderation caught up within a minute after the burst.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGE = "1234567890321"
X_ACCOUNT = "1"
SECRETS = {
    "MODBOT_FACEBOOK_PAGE_TOKEN": "bench-page-token",
    "MODBOT_FACEBOOK_APP_SECRET": "bench-app-secret",
    "MODBOT_FACEBOOK_VERIFY_TOKEN": "bench-verify-token",
    "MODBOT_X_BEARER_TOKEN": "bench-bearer",
    "MODBOT_X_CONSUMER_KEY": "bench-consumer-key",
    "MODBOT_X_CONSUMER_SECRET": "bench-consumer-secret",
    "MODBOT_X_ACCESS_TOKEN": "1-bench-access",
    "MODBOT_X_ACCESS_TOKEN_SECRET": "bench-access-secret",
}
TEXTS = [
    "Third time asking about the black mould in the back bedroom. When is someone coming?",
    "Still no hot water at Linden Court, it's been four days now.",
    "shit service as usual, nobody answers the phone about my leak",
    "you lot are scum, every one of you",
    "Thanks to the team for fixing the fence so quickly, really appreciated.",
    "What the hell is going on with the repairs line? On hold for 50 minutes.",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def facebook(n: int, when: datetime) -> tuple[str, bytes, dict[str, str]]:
    value = {
        "item": "comment",
        "verb": "add",
        "comment_id": f"9000_{n}",
        "post_id": f"{PAGE}_9000",
        "parent_id": f"{PAGE}_9000",
        "from": {"id": str(500_000 + n % 700), "name": f"Tenant {n % 700}"},
        "created_time": int(when.timestamp()),
        "message": TEXTS[n % len(TEXTS)],
    }
    body = json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE,
                    "time": int(when.timestamp()),
                    "changes": [{"field": "feed", "value": value}],
                }
            ],
        }
    ).encode()
    secret = SECRETS["MODBOT_FACEBOOK_APP_SECRET"].encode()
    signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return "/webhooks/facebook", body, {"X-Hub-Signature-256": signature}


def x(n: int, when: datetime) -> tuple[str, bytes, dict[str, str]]:
    author = str(700_000 + n % 700)
    payload = {
        "data": {
            "event_type": "post.mention.create",
            "payload": {
                "id": str(1_800_000_000_000_000_000 + n),
                "text": "@brookmere " + TEXTS[n % len(TEXTS)],
                "author_id": author,
                "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            },
            "includes": {"users": [{"id": author, "username": f"tenant{n % 700}"}]},
        }
    }
    body = json.dumps(payload).encode()
    secret = SECRETS["MODBOT_X_CONSUMER_SECRET"].encode()
    digest = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    return "/webhooks/x", body, {"x-twitter-webhooks-signature": f"sha256={digest}"}


def plan(count: int, seed: int = 15) -> tuple[list[tuple[str, bytes, dict, bool]], int]:
    """The deliveries in sending order (path, body, headers, forged) and the genuine count."""
    rng = random.Random(seed)
    now = datetime.now(UTC) - timedelta(minutes=30)
    sends: list[tuple[str, bytes, dict, bool]] = []
    genuine = 0
    n = 0
    while len(sends) < count:
        n += 1
        path, body, headers = (facebook if n % 2 else x)(n, now + timedelta(seconds=n))
        roll = rng.random()
        if roll < 0.05:  # forged: the right shape, signed with the wrong key
            bad = dict.fromkeys(headers, "sha256=" + "0" * 64)
            sends.append((path, body, bad, True))
            continue
        genuine += 1
        sends.append((path, body, headers, False))
        if roll < 0.15 and len(sends) < count:  # the platform retries: sent twice
            sends.append((path, body, headers, False))
    rng.shuffle(sends)
    return sends, genuine


def fake_platform():
    """A Graph and X API that says yes to every action, so moderation can run."""
    from tests.platform_server import FakePlatform, Reply

    server = FakePlatform()
    server.route("GET", r"/.*", Reply(body={"data": []}))
    server.route("POST", r"/.*", Reply(body={"success": True, "id": "1", "data": {}}))
    server.route("PUT", r"/.*", Reply(body={"data": {}}))
    server.route("DELETE", r"/.*", Reply(body={"data": {}}))
    return server.start()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def send_all(base: str, sends, clients: int) -> tuple[list[float], list[int]]:
    import httpx

    queue: asyncio.Queue = asyncio.Queue()
    for index, item in enumerate(sends):
        queue.put_nowait((index, item))
    latencies: list[float] = []
    statuses: list[int] = [0] * len(sends)  # in sending order

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            while True:
                try:
                    index, (path, body, headers, _) = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                start = time.perf_counter()
                answer = await http.post(
                    path, content=body, headers={**headers, "content-type": "application/json"}
                )
                latencies.append(time.perf_counter() - start)
                statuses[index] = answer.status_code

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    admin_url = os.environ.get("MODBOT_TEST_DATABASE_URL")
    if not admin_url:
        print("set MODBOT_TEST_DATABASE_URL to a PostgreSQL server", file=sys.stderr)
        return 2
    import sqlalchemy as sa
    import yaml
    from sqlalchemy.engine import make_url

    from bot.paths import shipped
    from bot.storage.session import Store

    name = f"modbot_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        make_url(admin_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    platform = fake_platform()
    folder = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    server = None
    try:
        Store(url).upgrade()
        data = yaml.safe_load(shipped("samples", "demo.yaml").read_text(encoding="utf-8"))
        data["database"] = {"url": url, "url_env": None}
        data["connectors"] = {
            "page": {"type": "facebook", "page_id": PAGE, "api_base_url": platform.url},
            "x": {
                "type": "x",
                "account_id": X_ACCOUNT,
                "handle": "brookmere",
                "api_base_url": platform.url,
            },
        }
        config = folder / "config.yaml"
        config.write_text(yaml.safe_dump(data), encoding="utf-8")
        port = free_port()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            **SECRETS,
            "PYTHONPATH": str(ROOT),
            "MODBOT_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--config", str(config), "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        sends, genuine = plan(args.deliveries)
        forged = sum(1 for *_, bad in sends if bad)
        sampled: list[float] = []
        stop = threading.Event()

        def sample() -> None:  # the server's resident memory through the burst
            while not stop.wait(0.2):
                for line in Path(f"/proc/{server.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sampled.append(int(line.split()[1]) / 1024)

        sampler = threading.Thread(target=sample, daemon=True)
        start_rss = peak_rss_mb(server.pid)
        sampler.start()
        started = time.perf_counter()
        latencies, statuses = asyncio.run(send_all(base, sends, args.clients))
        wall = time.perf_counter() - started
        burst_end = time.perf_counter()
        engine = sa.create_engine(url)

        def count(sql: str) -> int:
            with engine.connect() as connection:
                return int(connection.execute(sa.text(sql)).scalar() or 0)

        stored = count("SELECT count(*) FROM contacts")
        while time.perf_counter() - burst_end < 300:
            if count("SELECT count(*) FROM contacts WHERE status = 'new'") == 0:
                break
            time.sleep(0.5)
        caught_up = time.perf_counter() - burst_end
        pending = count("SELECT count(*) FROM contacts WHERE status = 'new'")
        stop.set()
        sampler.join()
        peak = peak_rss_mb(server.pid)
        engine.dispose()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # still moderating in the background
                server.kill()
                server.wait()
        platform.stop()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    latencies.sort()
    refused = sum(1 for s, (*_, bad) in zip(statuses, sends, strict=True) if bad and s == 403)
    failed = sum(1 for s, (*_, bad) in zip(statuses, sends, strict=True) if not bad and s != 200)
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    rate = len(sends) / wall
    print(
        f"deliveries: {len(sends)} from {args.clients} clients "
        f"({genuine} genuine, {len(sends) - genuine - forged} repeats, {forged} forged)"
    )
    print(f"deliveries/s: {rate:.0f}   p50: {p50:.0f} ms   p99: {p99:.0f} ms   wall: {wall:.1f} s")
    print(
        f"stored: {stored} (genuine: {genuine})   forged refused: {refused}/{forged}   "
        f"genuine not accepted: {failed}"
    )
    print(
        f"server memory: {start_rss:.0f} MB at start, peak {peak:.0f} MB "
        f"(max sampled RSS {max(sampled, default=0):.0f} MB)"
    )
    print(f"moderation caught up {caught_up:.1f} s after the burst ({pending} left undecided)")
    ok = (
        stored == genuine
        and refused == forged
        and failed == 0
        and pending == 0
        and rate >= 300
        and p99 < 500
        and caught_up <= 60
    )
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
