"""`modbot connectors check`, `connectors reset` and `serve` as a user runs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bot.paths import shipped
from tests.conftest import write_config
from tests.integration.conftest import SECRETS
from tests.processes import free_port, spawn
from tests.processes import modbot as run_modbot


def modbot(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_modbot(*args, cwd=cwd, env=env, columns=200)


def test_check_lists_capabilities_and_missing_credentials_without_calling_anything(tmp_path):
    example = str(shipped("examples", "production.yaml"))
    missing = modbot("connectors", "check", "--config", example, cwd=tmp_path)
    assert missing.returncode == 1
    assert "page (facebook)" in missing.stdout and "reddit (reddit)" in missing.stdout
    assert "instagram (instagram)" in missing.stdout
    assert "can: read, webhook, hide, delete, reply, message\n" in missing.stdout
    assert "block, restrict and report: no API, always a task for staff" in missing.stdout
    assert "can: read, webhook, hide, delete, reply, message, block" in missing.stdout
    assert "MODBOT_X_ACCESS_TOKEN" in missing.stdout and "missing" in missing.stdout
    assert "set MODBOT_REDDIT_CLIENT_ID" in missing.stderr
    ready = modbot("connectors", "check", "--config", example, cwd=tmp_path, env=SECRETS)
    assert ready.returncode == 0, ready.stdout + ready.stderr
    assert "missing" not in ready.stdout
    for secret in SECRETS.values():
        if len(secret) > 12:
            assert secret not in ready.stdout + ready.stderr


def test_reset_forgets_a_cursor(tmp_path):
    config = write_config(tmp_path)
    assert modbot("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0
    result = modbot("connectors", "reset", "local", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0 and "reset" in result.stdout
    unknown = modbot("connectors", "reset", "nope", "--config", str(config), cwd=tmp_path)
    assert unknown.returncode == 2 and "no connector named 'nope'" in unknown.stderr


def test_serve_answers_webhooks(tmp_path):
    connectors = {
        "page": {
            "type": "facebook",
            "page_id": "1234567890321",
            "api_base_url": "http://127.0.0.1:9",
        }
    }
    config = write_config(tmp_path, connectors=connectors)
    assert modbot("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **SECRETS}
    server = spawn(
        "serve",
        "--config",
        str(config),
        "--port",
        str(port),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        token = SECRETS["MODBOT_FACEBOOK_VERIFY_TOKEN"]
        query = f"hub.mode=subscribe&hub.verify_token={token}&hub.challenge=42"
        assert urllib.request.urlopen(f"{base}/webhooks/facebook?{query}").read() == b"42"
        body = json.dumps({"object": "page", "entry": []}).encode()
        digest = hmac.new(
            SECRETS["MODBOT_FACEBOOK_APP_SECRET"].encode(), body, hashlib.sha256
        ).hexdigest()
        request = urllib.request.Request(
            f"{base}/webhooks/facebook",
            data=body,
            headers={"X-Hub-Signature-256": f"sha256={digest}", "content-type": "application/json"},
        )
        assert urllib.request.urlopen(request).status == 200
        # 50 MB declared and none of it sent: refused at once, before any body is read
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(
                b"POST /webhooks/facebook HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nContent-Length: 52428800\r\n\r\n"
            )
            assert raw.recv(200).startswith(b"HTTP/1.1 413 ")
    finally:
        server.terminate()
        logged, _ = server.communicate(timeout=10)
    assert "GET /webhooks/facebook?… HTTP/1.1" in logged  # the access log records the path
    assert token not in logged and "hub.challenge" not in logged


def test_check_and_serve_say_which_webhooks_are_not_served(tmp_path):
    config = write_config(tmp_path)  # the local connector, with no webhook_token_env
    check = modbot("connectors", "check", "--config", str(config), cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "webhooks: not served (no webhook_token_env is configured" in check.stdout
    example = str(shipped("examples", "production.yaml"))
    ready = modbot("connectors", "check", "--config", example, cwd=tmp_path, env=SECRETS)
    assert ready.stdout.count("webhooks: served") == 3  # facebook, instagram, x; reddit has none
    assert modbot("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    server = spawn(
        "serve",
        "--config",
        str(config),
        "--port",
        str(port),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=10)
    assert "webhooks for connector 'local' are not served" in " ".join(stderr.split())


def _serving(config: Path, tmp_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "MODBOT_WEB_SECRET": "e2e-session-secret-Zt4kP8wQ2mX7vR1nB5cJ9hL3",
    }
    server = spawn(
        "serve",
        "--config",
        str(config),
        "--port",
        str(port),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server, base


def _failed_signins_from(base: str, addresses: list[str]) -> list[int]:
    """Wrong sign-ins from one browser, each claiming another address in X-Forwarded-For."""
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    statuses = []
    for n, address in enumerate(addresses):
        page = browser.open(f"{base}/signin").read().decode()
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        form = urllib.parse.urlencode(
            {"csrf_token": token, "name": f"Person {n}", "password": "guessing!!"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/signin", data=form, headers={"X-Forwarded-For": address}
        )
        try:
            statuses.append(browser.open(request).status)
        except urllib.error.HTTPError as refused:
            statuses.append(refused.code)
    return statuses


def test_forwarded_addresses_are_believed_only_from_trusted_proxies(tmp_path):
    web = {"secure_cookies": False, "max_failed_signins_per_address": 3}
    config = write_config(tmp_path, web=web)
    assert modbot("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0
    addresses = [f"203.0.113.{n}" for n in range(1, 6)]
    server, base = _serving(config, tmp_path)
    try:  # by default no one's X-Forwarded-For counts: rotating it does not help
        assert _failed_signins_from(base, addresses) == [401, 401, 401, 429, 429]
    finally:
        server.terminate()
        server.wait(timeout=10)
    trusting = write_config(tmp_path, web={**web, "trusted_proxies": ["127.0.0.1"]})
    server, base = _serving(trusting, tmp_path)
    try:  # behind a proxy the config trusts, each forwarded address is counted as its own
        assert _failed_signins_from(base, addresses) == [401] * 5
    finally:
        server.terminate()
        server.wait(timeout=10)
