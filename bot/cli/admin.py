"""Looking after the installation: `db upgrade`, `config check`."""

from __future__ import annotations

from bot.cli._app import ConfigOption, console, group

db_app = group("db", "The database: create or upgrade its tables.")
config_app = group("config", "Check a configuration file.")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Create the tables, or apply every migration this version has."""
    from bot.settings.loading import load_config
    from bot.storage.session import Store

    loaded = load_config(config)
    store = Store(loaded.settings.database_url())
    try:
        store.upgrade()
        console.print(f"Database {store.display_url} is at revision {store.current_revision()}.")
    finally:
        store.dispose()


@config_app.command("check")
def config_check(config: ConfigOption = None) -> None:
    """Validate the config, its policy profile and its message templates."""
    from bot.settings.loading import load_config

    loaded = load_config(config)
    console.print(f"Config is valid ({' + '.join(loaded.files)}).")
    console.print(
        f"Policy profile: {loaded.profile.name} — {loaded.profile.landlord}, "
        f"{loaded.profile.policy}."
    )
    names = ", ".join(f"{n} ({c.type})" for n, c in loaded.settings.connectors.items())
    console.print(f"Connectors: {names or 'none'}.")
