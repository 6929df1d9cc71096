"""Sign-in settings: optional as a whole, never half-set; a bad value stops start-up naming the variable."""

from __future__ import annotations

import pytest

from gateway.auth.settings import AuthSettings
from gateway.settings import GatewaySettings
from hub_shared.settings import ConfigurationError, load_settings

ISSUER = "https://login.microsoftonline.com/0000-tenant/v2.0"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Neither a developer's .env nor their shell's sign-in variables may leak into these checks."""
    monkeypatch.chdir(tmp_path)
    for name in AuthSettings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def refusal(capsys: pytest.CaptureFixture[str], **values: object) -> str:
    with pytest.raises(ConfigurationError):
        load_settings(GatewaySettings, **values)
    return capsys.readouterr().err.strip()


def test_without_oidc_the_gateway_has_working_defaults() -> None:
    settings = load_settings(GatewaySettings)
    assert settings.oidc_configured is False
    assert (settings.session_cookie_secure, settings.session_lifetime_hours) == (True, 8.0)
    assert (settings.rate_limit_login_per_minute, settings.rate_limit_api_per_minute) == (10, 600)
    assert settings.max_request_body_bytes == 10 * 1024 * 1024
    assert settings.after_login_url == "http://localhost:5400/"  # the console
    assert settings.trusted_origins == frozenset({"http://localhost:5400"})


def test_a_complete_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("OIDC_CLIENT_ID", "app-id")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "s3cr3t-value")
    monkeypatch.setenv("AUTH_ALLOWED_EMAILS", "RMMiller@enersystems.com, jmmiller@enersystems.com")
    monkeypatch.setenv("CORS_ORIGINS", "https://Dashboards.EnerSystems.com/,http://localhost:3000")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://db-api.enersystems.com:5400")
    settings = load_settings(GatewaySettings)
    assert settings.oidc_configured and settings.issuer == ISSUER
    assert settings.auth_allowed_emails == ["rmmiller@enersystems.com", "jmmiller@enersystems.com"]
    assert settings.cors_origins == ["https://dashboards.enersystems.com", "http://localhost:3000"]
    assert settings.redirect_uri == "https://db-api.enersystems.com:5400/api/auth/microsoft/callback"
    assert settings.after_login_url == "https://dashboards.enersystems.com/"
    assert settings.email_allowed("JMMILLER@EnerSystems.com") and not settings.email_allowed("x@y.z")
    assert "s3cr3t-value" not in repr(settings)


def test_half_a_configuration_names_the_missing_variable(capsys: pytest.CaptureFixture[str]) -> None:
    assert refusal(capsys, oidc_issuer=ISSUER, auth_allowed_emails=["a@b.c"]) == (
        "configuration error: OIDC_CLIENT_ID: must be set when OIDC_ISSUER is"
    )
    assert refusal(capsys, oidc_client_id="app") == (
        "configuration error: OIDC_CLIENT_ID: needs OIDC_ISSUER to be set too"
    )
    assert refusal(capsys, oidc_issuer=ISSUER, oidc_client_id="app") == (
        "configuration error: AUTH_ALLOWED_EMAILS: must list at least one user when OIDC_ISSUER is set"
    )
    assert "CORS_ORIGINS" in refusal(capsys, cors_origins=["*"])
    assert "CORS_ORIGINS" in refusal(capsys, cors_origins=["https://dash.example.com/app"])
    assert "AUTH_ALLOWED_EMAILS" in refusal(capsys, auth_allowed_emails=["not-an-email"])
    assert "OIDC_SCOPES: must include openid" in refusal(capsys, oidc_scopes="profile email")
    assert "RATE_LIMIT_API_PER_MINUTE" in refusal(capsys, rate_limit_api_per_minute=-1)
    assert "SESSION_LIFETIME_HOURS" in refusal(capsys, session_lifetime_hours=0)
