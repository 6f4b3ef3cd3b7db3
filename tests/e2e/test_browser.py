"""The review pages in a real browser: Debian's Chromium driven by Playwright, against
`modbot serve` started as a real process on 127.0.0.1 with the demo's data
(`modbot demo --review`) and staff accounts made with `modbot users add`.

A comms officer signs in (by keyboard), finds a complaint hidden for a swear word and
reverses it as a false positive: the hide is undone through the local connector and the
reversal shows in the weekly summary's count. A manager approves a formal warning and it
appears in the local connector's outbox. A threshold change is previewed, then saved.
The pages are photographed into docs/screenshots/ for the README.

No browser is ever downloaded: the system's Chromium is used. Without one these tests skip
with a message, except in CI (MODBOT_CI=1), where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.processes import free_port, spawn
from tests.processes import modbot as run_modbot
from tests.processes import wait_for as wait_until

# The README's screenshots are retaken only when asked (MODBOT_SCREENSHOTS=1), so an
# ordinary run leaves the working tree as it was; otherwise they go to a scratch folder.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("MODBOT_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "modbot-screenshots"
)
SECRET = "e2e-session-secret-Zt4kP8wQ2mX7vR1nB5cJ9hL3"
PASSWORD = "correct horse battery"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    """The system Chromium's path, or skip (fail in CI) saying how to get one."""
    candidates = [os.environ.get("MODBOT_CHROMIUM", ""), "/usr/bin/chromium"]
    candidates += [shutil.which(name) or "" for name in ("chromium", "chromium-browser")]
    found = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
    problem = None
    if found is None:
        problem = (
            "no Chromium found (looked at $MODBOT_CHROMIUM, /usr/bin/chromium, chromium on "
            "PATH): install Debian's package with `apt-get install chromium`"
        )
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "Playwright is not installed: pip install -e '.[test]'"
    if problem:
        if os.environ.get("MODBOT_CI"):
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(f"browser tests skipped: {problem}")
    return found  # type: ignore[return-value]


def modbot(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    result = run_modbot(*args, cwd=cwd, stdin=stdin, columns=200, timeout=180)
    assert result.returncode == 0, result.stderr
    return result


def wait_for(condition: Callable[[], object], what: str, timeout: float = 30) -> object:
    return wait_until(condition, what, timeout)


class Server:
    """`modbot serve` on the demo's data, and where it keeps its outbox."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.config = folder / "modbot-demo" / "demo.yaml"
        self.outbox = folder / "modbot-demo" / "outbox.jsonl"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = spawn(
            "serve",
            "--config",
            str(self.config),
            "--port",
            str(self.port),
            cwd=self.folder,
            env={"PATH": "/usr/bin:/bin", "HOME": str(self.folder), "MODBOT_WEB_SECRET": SECRET},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

        def up() -> bool:
            assert self.process.poll() is None, self.process.stderr.read()  # type: ignore[union-attr]
            try:
                return urllib.request.urlopen(f"{self.url}/healthz", timeout=1).status == 200
            except OSError:
                return False

        wait_for(up, "modbot serve to answer", timeout=60)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def sent(self) -> list[dict]:
        if not self.outbox.exists():
            return []
        return [json.loads(line) for line in self.outbox.read_text().splitlines() if line]


@pytest.fixture(scope="module")
def executable() -> str:
    return chromium()


@pytest.fixture(scope="module")
def server(executable, tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("browser")
    modbot("demo", "--review", "--dir", "modbot-demo", cwd=folder)
    site = Server(folder)
    for name in ("Priya Shah", "Sunita Rao"):  # the demo added their accounts (README)
        modbot(
            "users", "password", name, "--password-stdin",
            "--config", str(site.config), cwd=folder, stdin=PASSWORD + "\n",
        )  # fmt: skip
    site.start()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def browser(executable, server) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def sign_in(page, server: Server, name: str) -> None:
    page.goto(f"{server.url}/queue")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {name}.").wait_for()


def test_a_comms_officer_reverses_a_false_positive_and_it_is_counted(page, server):
    from playwright.sync_api import expect

    page.goto(f"{server.url}/")
    shot(page, "signin")
    # By keyboard: the name field has focus, Tab to the password, Enter to sign in.
    expect(page.get_by_label("Your name")).to_be_focused()
    page.keyboard.type("Priya Shah")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    expect(page.locator("#reversed-this-week")).to_have_text("0")
    shot(page, "queue")

    page.get_by_label("Category").select_option("profanity")
    page.get_by_role("button", name="Show").click()
    card = page.locator("li.card", has_text="leaking roof")
    card.get_by_role("link").first.click()
    expect(page.locator("blockquote.contact mark")).to_have_text("shit")
    shot(page, "contact")

    page.get_by_label("Why the bot was wrong").fill(
        "A complaint about a leaking roof; the swearing is not aimed at anyone."
    )
    page.get_by_role("button", name="Reverse as a false positive").click()
    expect(page.get_by_role("status")).to_contain_text("Decision reversed as a false positive")
    expect(page.get_by_text("Reversed as a false positive").first).to_be_visible()

    wait_for(
        lambda: [
            line
            for line in server.sent()
            if line["action"] == "unhide" and line["account"] == "dean.hollis"
        ],
        "the hide to be undone through the local connector",
    )
    page.get_by_role("link", name="Queue").click()
    expect(page.locator("#reversed-this-week")).to_have_text("1")
    page.get_by_role("link", name="Health").click()
    expect(page.locator("#reversed-this-week")).to_have_text("1")
    shot(page, "health")
    page.get_by_role("link", name="Tasks").first.click()
    shot(page, "tasks")
    page.get_by_role("link", name="People").click()
    page.get_by_label("Tenancy reference").fill("T-10231")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tenancy T-10231")
    shot(page, "person")


def test_a_manager_approves_a_formal_warning_and_it_is_sent(page, server):
    from playwright.sync_api import expect

    before = [line for line in server.sent() if line["action"] == "formal_warning"]
    sign_in(page, server, "Sunita Rao")
    page.get_by_role("link", name="Approvals").click()
    card = page.locator("section.card", has_text="Formal warning for tracey.hughes.7")
    expect(card).to_be_visible()
    shot(page, "approvals")
    card.get_by_label("Your reasons").fill("Abuse of a named officer continued after a warning.")
    card.get_by_role("button", name="Approve formal warning").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Approved: formal warning for tracey.hughes.7"
    )
    sent = wait_for(
        lambda: [line for line in server.sent() if line["action"] == "formal_warning"],
        "the formal warning in the outbox",
    )
    assert len(sent) == len(before) + 1


def test_a_threshold_change_is_previewed_before_it_is_saved(page, server):
    from playwright.sync_api import expect

    sign_in(page, server, "Priya Shah")
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Profanity").fill("0.99")
    page.get_by_role("button", name="Preview what would change").click()
    expect(
        page.get_by_role("heading", name="What would change over the last 90 days")
    ).to_be_visible()
    expect(page.locator("#preview-table")).to_contain_text("Hidden")
    expect(page.get_by_text("thresholds.profanity").first).to_be_visible()
    shot(page, "settings-preview")
    page.get_by_label("Why you are changing them").fill("Trying a higher profanity threshold.")
    page.get_by_role("button", name="Save these settings").click()
    expect(page.get_by_role("status")).to_contain_text("Settings saved (thresholds.profanity)")
    expect(page.get_by_text("Saved by Priya Shah").first).to_be_visible()


def test_the_pages_read_well_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, server, "Priya Shah")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the queue is {width}px wide on a 390px phone"
    shot(page, "queue-phone")
    context.close()
