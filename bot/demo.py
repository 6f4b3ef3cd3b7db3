"""`modbot demo`: one whole moderation pass on shipped sample data, shown as a table.

It writes an ordinary config file into the demo folder (so the user can see one, and re-run
any command against it with `--config modbot-demo/demo.yaml`), then does exactly what a
landlord's deployment does: migrate, import tenancies, record staff-confirmed links, run a
pass. Running it again stores nothing new, performs nothing new, and shows the same table.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from rich.console import Console

from bot.clock import system_clock
from bot.config import LoadedConfig, load_config, read_yaml
from bot.links import add_link
from bot.paths import shipped
from bot.pipeline import Pipeline
from bot.storage.models import LinkState
from bot.storage.session import Store
from bot.tenancies import import_tenancies
from bot.views import action_counts, pass_table


def write_demo_config(directory: Path) -> Path:
    """Write the demo's config into `directory` with absolute paths, and return its path."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    config = read_yaml(shipped("samples", "demo.yaml"))
    config["database"] = {"url": f"sqlite:///{directory / 'modbot.db'}", "url_env": None}
    config["connectors"] = {
        "local": {
            "type": "local",
            "inbox": str(shipped("samples", "inbox.jsonl")),
            "outbox": str(directory / "outbox.jsonl"),
        }
    }
    path = directory / "demo.yaml"
    header = '# Written by `modbot demo`. Try: modbot scan --config {path} "some text"\n'
    path.write_text(
        header.format(path=path) + yaml.safe_dump(config, sort_keys=False), encoding="utf-8"
    )
    return path


def prepare(loaded: LoadedConfig, store: Store) -> None:
    """Migrate, import the sample tenancies and apply the sample staff-confirmed links."""
    store.upgrade()
    now = system_clock()
    links = yaml.safe_load(shipped("samples", "staff-links.yaml").read_text(encoding="utf-8"))
    with store.begin() as session:
        import_tenancies(session, shipped("samples", "tenancies.csv"), actor="demo", now=now)
        for link in links:
            add_link(
                session,
                platform=link["platform"],
                platform_user_id=str(link["platform_user_id"]),
                handle=link["handle"],
                tenancy_ref=link["tenancy_ref"],
                state=LinkState.STAFF_CONFIRMED,
                made_by=link["made_by"],
                note=link["note"],
                now=now,
            )


def run_demo(directory: Path, console: Console) -> None:
    """Run the demo pass and print what happened to every sample contact."""
    config_path = write_demo_config(directory)
    loaded = load_config(config_path)
    store = Store(loaded.settings.database_url())
    pipeline = Pipeline(loaded, store)
    try:
        prepare(loaded, store)
        report = pipeline.run_once()
        with store.session() as session:
            console.print(pass_table(session, connector="local"))
            counts = action_counts(session)
    finally:
        pipeline.close()
        store.dispose()
    outbox = loaded.settings.connectors["local"].outbox
    console.print(
        f"This pass: {report.stored} new contacts stored, {report.decided} decided, "
        f"{report.run.done} actions performed, {report.run.manual} handed to staff."
    )
    if report.stored == 0:
        console.print("[dim]Nothing new in the inbox: the demo has run here before.[/]")
    states = ", ".join(f"{state.replace('_', ' ')} {n}" for state, n in sorted(counts.items()))
    console.print(f"Actions so far: {states or 'none'}.")
    console.print(f"Database: {store.display_url}")
    console.print(f"Outbox (what the local connector performed): {outbox}")
    console.print(f"Config used: {config_path}")
