"""A bad config stops with the file, the key path and what is wrong; never a traceback."""

from pathlib import Path

import pytest
import yaml

from bot.errors import ConfigError
from bot.settings.loading import deep_merge, load_config
from bot.settings.secrets import read_secret
from tests.conftest import write_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_alone_are_valid():
    loaded = load_config(None)
    assert loaded.settings.database.url == "sqlite:///modbot.db"
    assert loaded.profile.name == "housing-ombudsman"


def test_user_file_overrides_key_by_key(tmp_path):
    loaded = load_config(write(tmp_path, "thresholds:\n  abuse: 0.9\n"))
    assert loaded.settings.thresholds["abuse"] == 0.9
    default = load_config(None).settings.thresholds["threat"]
    assert loaded.settings.thresholds["threat"] == default != 0.9  # untouched default


def test_connectors_replace_the_defaults_as_a_whole(tmp_path):
    path = write(
        tmp_path,
        "connectors:\n  page:\n    type: local\n    inbox: a.jsonl\n    outbox: b.jsonl\n",
    )
    assert list(load_config(path).settings.connectors) == ["page"]


def test_unknown_key_names_file_and_path(tmp_path):
    path = write(tmp_path, "thresholds:\n  abuse: 0.9\norganisation:\n  nmae: X\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.source == str(path)
    assert "organisation.nmae: unknown key" in str(caught.value)


def test_out_of_range_threshold(tmp_path):
    with pytest.raises(ConfigError, match=r"thresholds: Value error, abuse: must be above 0"):
        load_config(write(tmp_path, "thresholds:\n  abuse: 1.5\n"))


def test_yaml_syntax_error_gives_line_and_column(tmp_path):
    with pytest.raises(ConfigError, match=r"line 2, column \d+: YAML syntax error"):
        load_config(write(tmp_path, "organisation:\n  name: a: b\n"))


def test_connector_type_and_fields_are_checked(tmp_path):
    path = write(tmp_path, "connectors:\n  page:\n    type: myspace\n")
    with pytest.raises(ConfigError, match=r"connectors\.page: unknown type"):
        load_config(path)
    path = write(tmp_path, "connectors:\n  page:\n    type: local\n    inbox: a.jsonl\n")
    with pytest.raises(ConfigError, match=r"connectors\.page\.outbox: required but missing"):
        load_config(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


def test_unknown_profile_lists_the_built_in_ones(tmp_path):
    with pytest.raises(ConfigError, match="unknown profile 'acme'; built-in profiles: "):
        load_config(write(tmp_path, "policy:\n  profile: acme\n"))


def test_profile_override_with_unknown_role_fails_naming_the_override(tmp_path):
    path = write(
        tmp_path,
        "policy:\n  overrides:\n    ladder:\n      formal_warning:\n        approval: ceo\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.source == str(path)
    assert "policy.overrides.ladder.formal_warning.approval" in str(caught.value)


def test_profile_naming_an_undeclared_role_fails(tmp_path):
    profile = yaml.safe_load(
        (Path(__file__).parents[2] / "config/policies/housing-ombudsman.yaml").read_text()
    )
    profile["roles"] = ["comms", "manager"]
    custom = tmp_path / "custom.yaml"
    custom.write_text(yaml.safe_dump(profile))
    with pytest.raises(ConfigError, match="names role 'head-of-service', which this profile"):
        load_config(write(tmp_path, f"policy:\n  profile: {custom}\n"))


def test_profile_with_unknown_category_fails(tmp_path):
    profile = yaml.safe_load(
        (Path(__file__).parents[2] / "config/policies/housing-ombudsman.yaml").read_text()
    )
    profile["categories"]["trolling"] = profile["categories"]["abuse"]
    custom = tmp_path / "custom.yaml"
    custom.write_text(yaml.safe_dump(profile))
    with pytest.raises(ConfigError, match=r"categories\.trolling"):
        load_config(write(tmp_path, f"policy:\n  profile: {custom}\n"))


def test_broken_template_is_reported_with_its_line(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "notice.txt.j2").write_text("Hello {{ handle }\n", encoding="utf-8")
    path = write(tmp_path, f"templates:\n  dir: {templates}\n")
    with pytest.raises(ConfigError, match="line 1"):
        load_config(path)


def test_template_with_unknown_variable_is_reported(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "notice.txt.j2").write_text("Hello {{ tenant_name }}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown variable"):
        load_config(write(tmp_path, f"templates:\n  dir: {templates}\n"))


def test_database_url_from_the_environment_wins(tmp_path, monkeypatch):
    path = write_config(tmp_path)
    loaded = load_config(path)
    assert loaded.settings.database_url().startswith("sqlite:///")
    path.write_text(path.read_text().replace("url_env: null", "url_env: MY_DB_URL"))
    monkeypatch.setenv("MY_DB_URL", "postgresql+psycopg://u:secret@db/modbot")
    assert load_config(path).settings.database_url() == "postgresql+psycopg://u:secret@db/modbot"


def test_secrets_come_from_env_or_file(tmp_path, monkeypatch):
    monkeypatch.delenv("MODBOT_TEST_SECRET", raising=False)
    with pytest.raises(ConfigError, match="MODBOT_TEST_SECRET: this secret is not set"):
        read_secret("MODBOT_TEST_SECRET")
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret\n")
    monkeypatch.setenv("MODBOT_TEST_SECRET_FILE", str(secret_file))
    assert read_secret("MODBOT_TEST_SECRET").get_secret_value() == "s3cret"
    monkeypatch.setenv("MODBOT_TEST_SECRET", "from-env")
    assert read_secret("MODBOT_TEST_SECRET").get_secret_value() == "from-env"


def test_deep_merge_replaces_lists_and_connectors():
    base = {"a": {"b": 1, "c": [1, 2]}, "connectors": {"local": {"type": "local"}}}
    merged = deep_merge(base, {"a": {"c": [3]}, "connectors": {"fb": {"type": "facebook"}}})
    assert merged == {"a": {"b": 1, "c": [3]}, "connectors": {"fb": {"type": "facebook"}}}
