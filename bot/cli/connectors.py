"""Connectors from the command line: `connectors check`, `connectors reset`, and `serve`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bot.cli._app import ConfigOption, app, console, errors, group, opened_store

connectors_app = group("connectors", "Check the configured platform connectors.")


@connectors_app.command("check")
def connectors_check(config: ConfigOption = None) -> None:
    """Validate each connector's settings and credentials, and show what it can do.

    Calls no platform: it checks that every environment variable a connector needs is set
    (never printing a value), lists the actions the bot will do itself (everything else
    becomes a task for staff), and says whether its webhooks are served: only with a secret
    to check each call against. Exits with status 1 if any credential is missing.
    """
    from bot.settings.loading import load_config
    from bot.settings.secrets import missing_secrets, read_secret
    from platforms.base import Capability
    from platforms.registry import build_connector

    loaded = load_config(config)
    missing_any = False
    for name, settings in loaded.settings.connectors.items():
        connector = build_connector(name, settings, read_secret)
        caps = connector.capabilities
        can = [c.name.lower() for c in Capability if c.name and c.value and c in caps]
        console.print(Text.assemble((f"{name}", "bold"), f" ({settings.type})"))
        interval = getattr(settings, "poll_interval_seconds", None)
        if interval:
            console.print(f"  polls every {interval} s")
        console.print(f"  can: {', '.join(can)}")
        for note in getattr(connector, "notes", list)():
            console.print(f"  note: {note}")
        if caps & Capability.WEBHOOK:
            unserved = connector.webhook_unserved()
            served = (
                "[green]served[/]" if unserved is None else f"[yellow]not served[/] ({unserved})"
            )
            console.print(f"  webhooks: {served}")
        envs = getattr(connector, "credential_envs", dict)()
        if envs:
            table = Table(box=None, padding=(0, 2), show_header=False)
            missing = set(missing_secrets(envs))
            for env, purpose in envs.items():
                state = "[red]missing[/]" if env in missing else "[green]set[/]"
                table.add_row(f"  {env}", state, purpose)
            console.print(table)
            if missing:
                missing_any = True
                errors.print(
                    Text.assemble(
                        ("warning: ", "yellow"), f"{name}: set {', '.join(sorted(missing))}"
                    ),
                    soft_wrap=True,
                )
    if missing_any:
        raise typer.Exit(1)


@connectors_app.command("reset")
def connectors_reset(
    name: Annotated[str, typer.Argument(help="The connector's name in the config.")],
    config: ConfigOption = None,
) -> None:
    """Forget a connector's cursor, so its next poll starts from the platform's newest items.

    Contacts already stored are kept and never stored twice.
    """
    from bot.errors import BotError
    from bot.storage.models import ConnectorCursor

    with opened_store(config) as (loaded, store):
        if name not in loaded.settings.connectors:
            raise BotError(f"no connector named '{name}' in the config")
        with store.begin() as session:
            row = session.get(ConnectorCursor, name)
            if row is not None:
                row.cursor = None
                row.last_error = None
    console.print(f"Cursor of connector '{name}' reset.")


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
) -> None:
    """Run the web app: the review pages and the webhooks (/webhooks/facebook, instagram, x).

    Staff sign in at http://HOST:PORT/ with accounts made by `modbot users add`; the pages
    need the session key the config names (MODBOT_WEB_SECRET by default). Webhook
    deliveries are checked, stored at once and moderated in the background; a connector's
    webhook is served only with its secret set (a warning at start-up names the others).
    Put HTTPS in front of it (docs/security.md).
    """
    import uvicorn
    from rich.text import Text

    from bot.settings.loading import load_config
    from bot.web.app import create_app
    from bot.web.serving import log_config

    web = load_config(config).settings.web
    if web.session_secret() is None:
        errors.print(
            Text.assemble(
                ("warning: ", "yellow"),
                f"{web.session_secret_env} is not set, so the review pages stay closed "
                "(webhooks still work). Set it to at least 32 random characters, e.g. "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'",
            ),
            soft_wrap=True,
        )
    for name, why in unserved_webhooks(config):
        errors.print(
            Text.assemble(
                ("warning: ", "yellow"), f"webhooks for connector '{name}' are not served: {why}"
            ),
            soft_wrap=True,
        )
    with opened_store(config) as (loaded, store):
        uvicorn.run(
            create_app(loaded, store),
            host=host,
            port=port,
            log_level="info",
            log_config=log_config(),
            # forwarded headers only from the proxies the config trusts (none by default)
            proxy_headers=bool(web.trusted_proxies),
            forwarded_allow_ips=list(web.trusted_proxies),
        )


def unserved_webhooks(config: Path | None) -> list[tuple[str, str]]:
    """Each connector that could take webhooks but is not served, and why (no secret)."""
    from bot.settings.loading import load_config
    from bot.settings.secrets import read_secret
    from platforms.base import Capability
    from platforms.registry import build_connector

    unserved = []
    for name, settings in load_config(config).settings.connectors.items():
        connector = build_connector(name, settings, read_secret)
        try:
            why = (
                connector.webhook_unserved()
                if connector.capabilities & Capability.WEBHOOK
                else None
            )
        finally:
            connector.close()
        if why is not None:
            unserved.append((name, why))
    return unserved
