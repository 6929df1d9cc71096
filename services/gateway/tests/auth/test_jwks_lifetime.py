"""Issue 17 finding 9: the provider's key set has a lifetime (24 h), so a key it withdrew stops being
accepted; before, the set was refetched only for an unknown key id and a withdrawn key stayed good.

The provider is faked at its HTTP boundary (discovery document and JWKS, as OIDC Discovery defines them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from gateway.auth.oidc import JWKS_LIFETIME_SECONDS, OidcClient, OidcError
from gateway.auth.settings import AuthSettings

ISSUER = "https://id.example.com"
CLIENT_ID = "inventory-hub"
OLD = RSAKey.generate_key(2048, parameters={"kid": "old", "use": "sig", "alg": "RS256"})
NEW = RSAKey.generate_key(2048, parameters={"kid": "new", "use": "sig", "alg": "RS256"})


class Provider:
    def __init__(self) -> None:
        self.published: list[RSAKey] = [OLD]
        self.jwks_fetches = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "id_token_signing_alg_values_supported": ["RS256"],
                },
            )
        if request.url.path == "/jwks":
            self.jwks_fetches += 1
            return httpx.Response(200, json=KeySet(self.published).as_dict(private=False))
        return httpx.Response(404)


def id_token(key: RSAKey, now: datetime, nonce: str = "n") -> str:
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "dana",
        "email": "dana@example.com",
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + 300,
        "nonce": nonce,
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


async def test_a_withdrawn_key_stops_being_accepted_within_a_day(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = AuthSettings(oidc_issuer=ISSUER, oidc_client_id=CLIENT_ID, auth_allowed_emails="dana@example.com")
    provider = Provider()
    now = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider.handle)) as http:
        client = OidcClient(settings, http, clock=lambda: now[0])
        assert (await client.verify_id_token(id_token(OLD, now[0]), nonce="n"))["sub"] == "dana"
        assert provider.jwks_fetches == 1

        provider.published = [NEW]  # the provider withdraws the old key (rotation, or a leaked key)
        now[0] += timedelta(hours=1)
        # Within the lifetime the cached set still holds it (a known key id is not refetched) ...
        assert await client.verify_id_token(id_token(OLD, now[0]), nonce="n")
        assert provider.jwks_fetches == 1
        # ... and after it, the set is fetched again and the withdrawn key is refused.
        now[0] += timedelta(seconds=JWKS_LIFETIME_SECONDS)
        with pytest.raises(OidcError) as refused:
            await client.verify_id_token(id_token(OLD, now[0]), nonce="n")
        assert refused.value.status == 400 and provider.jwks_fetches == 2
        assert (await client.verify_id_token(id_token(NEW, now[0]), nonce="n"))["sub"] == "dana"
        assert provider.jwks_fetches == 2
        await client.aclose()
