"""Issue 17 finding 3, the pure part: who an ID token names (verified email; Microsoft by tid + oid), and
an allow-list compared in ASCII only."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.auth.oidc import OidcError, ProviderMetadata, identify
from gateway.auth.settings import AuthSettings
from hub_shared.settings import ConfigurationError, load_settings

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def provider(issuer: str, claims_supported: tuple[str, ...] = ()) -> ProviderMetadata:
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=f"{issuer}/authorize",
        token_endpoint=f"{issuer}/token",
        jwks_uri=f"{issuer}/keys",
        end_session_endpoint=None,
        algorithms=("RS256",),
        claims_supported=claims_supported,
    )


MICROSOFT = provider(f"https://login.microsoftonline.com/{TENANT}/v2.0")
GENERIC = provider("https://id.example.com")


def refusal(claims: dict[str, Any], metadata: ProviderMetadata) -> str:
    with pytest.raises(OidcError) as raised:
        identify(claims, metadata)
    return raised.value.details


def test_microsoft_people_are_tid_and_oid_with_a_domain_verified_email() -> None:
    claims = {"sub": "pairwise", "tid": TENANT, "oid": "00000000-0000-0000-0000-0000000000aa"}
    person = identify({**claims, "email": "Dana@Contoso.com", "xms_edov": True}, MICROSOFT)
    assert (person.email, person.subject) == ("dana@contoso.com", f"{TENANT}/00000000-0000-0000-0000-0000000000aa")
    # Entra ID's email claim alone is user- or admin-set: not evidence of owning the address.
    assert "not verified" in refusal({**claims, "email": "dana@contoso.com"}, MICROSOFT)
    assert "not verified" in refusal({**claims, "email": "dana@contoso.com", "xms_edov": False}, MICROSOFT)
    # The UPN / preferred_username are mutable and never stand in for the email.
    upn = {**claims, "preferred_username": "dana@contoso.com", "upn": "dana@contoso.com", "xms_edov": True}
    assert refusal(upn, MICROSOFT) == "the ID token carries no email address"
    assert "tid and oid" in refusal({"email": "dana@contoso.com", "xms_edov": True, "tid": TENANT}, MICROSOFT)
    other_tenant = {**claims, "tid": "11111111-1111-1111-1111-111111111111", "email": "d@c.com", "xms_edov": True}
    assert "tenant" in refusal(other_tenant, MICROSOFT)


def test_other_providers_need_email_verified_where_they_send_or_announce_it() -> None:
    assert identify({"sub": "1", "email": "dana@example.com"}, GENERIC).subject == "1"
    assert identify({"sub": "1", "email": "dana@example.com", "email_verified": True}, GENERIC).email
    assert "not verified" in refusal({"sub": "1", "email": "dana@example.com", "email_verified": False}, GENERIC)
    announcing = provider("https://id.example.com", claims_supported=("sub", "email", "email_verified"))
    assert "not verified" in refusal({"sub": "1", "email": "dana@example.com"}, announcing)


def test_the_allow_list_never_matches_a_non_ascii_look_alike(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = AuthSettings(auth_allowed_emails="kate@example.com")
    assert settings.email_allowed("KATE@example.com")
    assert "\u212aate@example.com".lower() == "kate@example.com"  # KELVIN SIGN folds to "k"
    assert not settings.email_allowed("\u212aate@example.com")
    with pytest.raises(ConfigurationError):
        load_settings(AuthSettings, auth_allowed_emails="\u212aate@example.com")
