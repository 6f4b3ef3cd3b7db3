"""`modbot connectors check`, `connectors reset` and `serve` as a user runs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import time
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
    finally:
        server.terminate()
        server.wait(timeout=10)
