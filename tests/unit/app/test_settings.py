"""Configuration: defaults, file + environment precedence, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import ConfigError
from app.secrets import SecretRef
from app.settings import load_settings, mask_url

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "tacos.yaml"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("FINOPS_"):
            monkeypatch.delenv(key)


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(text)
    return p


def test_example_config_is_valid() -> None:
    s = load_settings(EXAMPLE)
    assert s.clusters[0].name == "tacos-prod"
    assert s.cost_tags["team"].aws_tag == "Team"
    assert s.slack.webhook_url == SecretRef(file=Path("/var/run/secrets/finops/slack-webhook-url"))


def test_defaults_without_file() -> None:
    s = load_settings()
    assert s.database_url == "sqlite:///finops.db"
    assert [t.name for t in s.cost_tag_list()] == ["service", "team", "cost_center", "environment"]


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "aws:\n  region: eu-west-1\n  accounts: ['111111111111']\n")
    monkeypatch.setenv("FINOPS_AWS__REGION", "ap-south-1")
    monkeypatch.setenv("FINOPS_DATABASE_URL", "postgresql://u@db:5432/finops")
    s = load_settings(path)
    assert s.aws.region == "ap-south-1"
    assert s.aws.accounts == ["111111111111"]  # the rest of the file's mapping survives
    assert s.database_url == "postgresql://u@db:5432/finops"


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINOPS_CONFIG", str(write(tmp_path, "log_level: DEBUG\n")))
    assert load_settings().log_level == "DEBUG"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("database_url: mysql://x\n", "database_url: got 'mysql://x'"),
        ("clusters:\n  - name: Prod_1\n", "clusters.0.name: got 'Prod_1' — expected a DNS label"),
        (
            "clusters:\n  - name: p\n    prometheus: {url: 'prometheus:9090'}\n",
            "clusters.0.prometheus.url: got 'prometheus:9090' — expected an http(s):// URL",
        ),
        (
            "clusters:\n  - name: p\n    prometheus: {url: 'http://admin:pw@prom:9090'}\n",
            "credentials in the URL are not allowed",
        ),
        ("aws: {accounts: ['12345']}\n", "expected 12-digit AWS account ids, got '12345'"),
        (
            "schedules: {prometheus: 'every 5 minutes'}\n",
            "schedules.prometheus: got 'every 5 minutes'",
        ),
        ("databse_url: sqlite:///x.db\n", "databse_url: unknown key"),
        ("slack: {webhook_url: 'https://hooks.slack.com/services/T/B/X'}\n", "slack.webhook_url"),
        ("slack: {webhook_url: {env: A, file: /b}}\n", "exactly one of `env` or `file`"),
        ("budgets:\n  - {name: b, amount: -5}\n", "budgets.0.amount: got -5"),
        ("budgets:\n  - {amount: 5}\n", "budgets.0.name: missing"),
        ("cost_tags: {team: {label: team, aws_tag: Team}}\n", "a `service` cost tag is required"),
        ("server: {port: 70000}\n", "server.port: got 70000"),
        (
            "budgets:\n  - {name: b, amount: 5, scope: 'squad:x'}\n",
            "budgets.0.scope: got 'squad:x'",
        ),
        ("budgets:\n  - {name: b, amount: 5, period: yearly}\n", "budgets.0.period: got 'yearly'"),
    ],
)
def test_bad_settings_name_key_value_and_expectation(
    tmp_path: Path, text: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text))
    assert expected in str(err.value)


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(write(tmp_path, "a: [1, 2\n"))
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_settings(write(tmp_path, "- 1\n- 2\n"))


def test_bad_env_override_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINOPS_SERVER__PORT", "eighty")
    with pytest.raises(ConfigError, match=r"server.port: got 'eighty'"):
        load_settings()


def test_secret_refs_read_lazily_and_never_show_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "token"
    secret_file.write_text("s3cret-token\n")
    ref = SecretRef(file=secret_file)
    assert ref.read() == "s3cret-token"
    assert "s3cret" not in repr(ref)
    monkeypatch.setenv("MY_HOOK", "https://hooks.example/abc")
    assert SecretRef(env="MY_HOOK").read() == "https://hooks.example/abc"
    with pytest.raises(ConfigError, match="MISSING_VAR is not set"):
        SecretRef(env="MISSING_VAR").read()
    with pytest.raises(ConfigError, match="cannot read secret file"):
        SecretRef(file=tmp_path / "absent").read()


def test_database_password_is_masked() -> None:
    assert mask_url("postgresql://finops:hunter2@db:5432/x") == "postgresql://finops:***@db:5432/x"
    s = load_settings(database_url="postgresql://finops:hunter2@db:5432/x")
    assert "hunter2" not in str(s.safe_dict())


def test_database_url_from_a_mounted_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "database-url"
    secret.write_text("postgresql://finops:pw@db:5432/finops\n")
    s = load_settings(database_url_file=str(secret))
    assert s.effective_database_url() == "postgresql://finops:pw@db:5432/finops"
    assert "pw" not in str(s.safe_dict())
    secret.write_text("not a url")
    with pytest.raises(ConfigError, match="does not hold a sqlite:// or postgresql:// URL"):
        s.effective_database_url()
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(database_url_file=str(tmp_path / "missing")).effective_database_url()
