"""A malformed or missing setting stops a service at start, with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hub_shared.registry import installed_services
from hub_shared.settings import ConfigurationError, ServiceSettings, load_settings

SERVICES = installed_services()


@pytest.mark.parametrize("spec", SERVICES, ids=[spec.name for spec in SERVICES])
def test_service_refuses_to_start_with_a_malformed_database_url(spec, tmp_path) -> None:
    env = {**os.environ, "DATABASE_URL": "mysql://root@localhost/hub"}
    result = subprocess.run(
        [sys.executable, "-m", spec.package, "serve"],
        env=env,
        cwd=tmp_path,  # no .env here
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: DATABASE_URL: must be a PostgreSQL URL")


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("AMQP_URL", "http://localhost:5672", "AMQP_URL: must be an AMQP URL"),
        ("AMQP_PREFETCH", "lots", "AMQP_PREFETCH:"),
        ("HUB_TIMEZONE", "Mars/Olympus_Mons", "HUB_TIMEZONE: unknown time zone"),
        ("LOG_LEVEL", "chatty", "LOG_LEVEL:"),
        ("VARIANCE_PORT", "70000", "VARIANCE_PORT:"),
    ],
)
def test_each_bad_value_is_named(variable: str, value: str, named: str, tmp_path) -> None:
    env = {**os.environ, variable: value}
    result = subprocess.run(
        [sys.executable, "-m", "variance", "migrate"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("configuration error: ")
    assert named in result.stderr


def test_gateway_tls_files_must_come_in_pairs(tmp_path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    env = {**os.environ, "TLS_CERT_FILE": str(cert)}
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "TLS_CERT_FILE and TLS_KEY_FILE must be set together" in result.stderr


def test_load_settings_normalises_plain_postgres_urls(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://hub@db:5432/inventory_hub")
    settings = load_settings(ServiceSettings)
    assert settings.database_url == "postgresql+asyncpg://hub@db:5432/inventory_hub"


def test_load_settings_raises_configuration_error(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://localhost:5432/")
    with pytest.raises(ConfigurationError) as raised:
        load_settings(ServiceSettings)
    assert raised.value.code == 2
    assert (
        capsys.readouterr().err.strip()
        == "configuration error: DATABASE_URL: must name a database, e.g. .../inventory_hub"
    )


def test_log_format_follows_the_terminal_unless_log_json_is_set() -> None:
    import io

    from hub_shared.logging import wants_json

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert wants_json(None, io.StringIO()) is True  # a pipe or file: JSON for the log shipper
    assert wants_json(None, Terminal()) is False  # a person at a terminal: readable lines
    assert wants_json(True, Terminal()) is True and wants_json(False, io.StringIO()) is False


# --- issue 17 finding 1 / issue 15 defect 6: weak, published and placeholder secrets outside development ---

STRONG_KEY = "3f9c2a7e1b4d8f60c5a9e2d7b1f4a8c3e6d9b2a5f8c1e4d7a0b3c6f9e2d5a8b1"  # 64 hex characters


@pytest.mark.parametrize(
    "key",
    [
        "dev-only-signing-key-change-me",  # the code's development default
        "compose-only-signing-key-change-me",  # docker-compose.yml's old default
        "CHANGE_ME_TO_A_LONG_RANDOM_VALUE",  # deploy/k8s/secret.example.yaml
        "a-sixteen-char-k",  # long enough for the old min_length=16, far from 32 random bytes
        "0123456789abcdef0123456789abcdef",  # 32 hex characters: 16 bytes
        "a" * 80,  # long but one character
    ],
)
def test_production_refuses_published_weak_and_placeholder_signing_keys(key: str, capsys) -> None:
    with pytest.raises(ConfigurationError):
        load_settings(ServiceSettings, hub_env="production", hub_internal_signing_key=key)
    error = capsys.readouterr().err.strip()
    assert error.startswith("configuration error: HUB_INTERNAL_SIGNING_KEY: "), error
    assert "HUB_ENV=production" in error


def test_production_is_the_default_and_refuses_the_development_key(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.delenv("HUB_ENV", raising=False)
    monkeypatch.delenv("HUB_INTERNAL_SIGNING_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        load_settings(ServiceSettings)
    assert "HUB_INTERNAL_SIGNING_KEY: is a published default" in capsys.readouterr().err
    monkeypatch.setenv("HUB_INTERNAL_SIGNING_KEY", STRONG_KEY)
    assert load_settings(ServiceSettings).hub_env == "production"


def test_strong_keys_pass_in_production_and_development_keeps_the_default() -> None:
    for key in (
        STRONG_KEY,
        "Jx3vQ8mZp1Rk7tWc2YhN5bLd9Fs4Ga6Ue0Io+Pq/Ar8=",
        "Jx3vQ8mZp1Rk7tWc2YhN5bLd9Fs4Ga6Ue0Io_Pq-Ar8",
    ):
        assert ServiceSettings(hub_env="production", hub_internal_signing_key=key).development is False
    development = ServiceSettings(hub_env="Development")
    assert development.development and development.hub_internal_signing_key == "dev-only-signing-key-change-me"


def test_production_refuses_placeholders_in_any_secret(capsys) -> None:
    from gateway.settings import GatewaySettings

    with pytest.raises(ConfigurationError):
        load_settings(
            ServiceSettings,
            hub_env="production",
            hub_internal_signing_key=STRONG_KEY,
            database_url="postgresql+asyncpg://inventory_hub:CHANGE_ME@postgres.example.internal:5432/inventory_hub",
        )
    assert capsys.readouterr().err.strip().startswith("configuration error: DATABASE_URL: holds a placeholder")
    with pytest.raises(ConfigurationError):
        load_settings(
            GatewaySettings,
            hub_env="production",
            hub_internal_signing_key=STRONG_KEY,
            oidc_issuer="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
            oidc_client_id="app",
            oidc_client_secret="CHANGE_ME",
            auth_allowed_emails="a@example.com",
        )
    assert "OIDC_CLIENT_SECRET: holds a placeholder" in capsys.readouterr().err
    # Development admits them (make dev and the tests run with the defaults).
    ServiceSettings(hub_env="development", database_url="postgresql+asyncpg://u:CHANGE_ME@h:5432/db")


def test_a_service_started_in_production_with_the_default_key_stops_naming_it(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HUB_ENV", "HUB_INTERNAL_SIGNING_KEY")}
    result = subprocess.run(
        [sys.executable, "-m", "qbr", "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("configuration error: HUB_INTERNAL_SIGNING_KEY: is a published default")
