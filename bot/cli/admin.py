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
    choices = landlord_choices(loaded)
    if choices:
        console.print(
            f"Values {loaded.profile.policy} does not state, so they are your choices "
            "(set them knowingly; change any with policy.overrides):"
        )
        for line in choices:
            console.print(f"  - {line}", markup=False, highlight=False)
    for problem in letter_gaps(loaded):
        console.print(f"[yellow]Letters:[/] {problem}", highlight=False)


def landlord_choices(loaded) -> list[str]:
    """Each value the policy leaves to the landlord: the profile's, then the config's overrides."""
    from bot.settings.loading import flatten

    profile = loaded.profile
    data = profile.model_dump(mode="json")
    lines = []
    for path, why in profile.landlord_choices.items():
        lines.append(f"{path} = {_shown(_at(data, path))}: {why}")
    for path, value in flatten(loaded.settings.policy.overrides):
        lines.append(f"{path} = {_shown(value)}: set in your config (policy.overrides)")
    return lines


def letter_gaps(loaded) -> list[str]:
    """What the letters would lack under this config (checked again when they are approved)."""
    from bot.settings.schema import missing_for_letter

    organisation = loaded.settings.organisation
    profile = loaded.profile
    gaps = []
    missing = missing_for_letter(
        organisation.contact_point.model_dump(), profile.ladder.restriction.default_protocol
    )
    if missing:
        gaps.append(
            "organisation.contact_point is incomplete ("
            + ", ".join(missing)
            + "): restrictions cannot be approved until it is set (or an assessment names one)"
        )
    return gaps


def _at(data, path: str):
    for part in path.split("."):
        data = data[part]
    return data


def _shown(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)
