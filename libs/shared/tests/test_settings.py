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
