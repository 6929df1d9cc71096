"""The NinjaOne client against the simulator: tokens, refresh on 401, pagination, refusals."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from collector_ninja.client import NinjaAuthError, NinjaClient
from collector_ninja.settings import NinjaCollectorSettings
from hub_shared.vendor_http import VendorUnavailable, retry_after_seconds


def settings_for(url: str, **overrides) -> NinjaCollectorSettings:
    values = {"ninja_client_id": "sim-client", "ninja_client_secret": "sim-secret", **overrides}
    return NinjaCollectorSettings(ninja_base_url=url, ninja_retry_base_seconds=0.01, **values)


async def test_pages_every_device_once_and_refreshes_an_expired_token(vendor_sim) -> None:
    with vendor_sim(devices=700, seed=4) as sim:
        async with NinjaClient(settings_for(sim.ninja_url, ninja_page_size=250)) as client:
            ids: list[int] = []
            async for page in client.device_pages():
                ids.extend(int(device["id"]) for device in page)
                if len(ids) == 250:
                    sim.sim.expire_tokens()  # the vendor revokes the token mid-run
            fields = await client.custom_field_values(["hastpm", "tpmversion"])
        stats = sim.stats()
        fleet = sim.sim.fleet
        expected = {
            device_id: {name: fleet.custom_fields(machine).get(name) for name in ("hastpm", "tpmversion")}
            for device_id, machine, _state, _record in fleet.iter_ninja(sim.sim.day, None)
        }
    assert len(ids) == len(set(ids)) == 700
    assert ids == sorted(ids)
    # Every device's values exactly as the simulator holds them (devices without the TPM script: None).
    assert fields == expected
    assert sum(1 for values in fields.values() if values["hastpm"] is not None) > 0
    assert stats["tokens_issued"] == 2
    # Equal records are one object: the per-device cost of the map does not include a dict per device.
    distinct = {tuple(values.values()) for values in fields.values()}
    assert len({id(values) for values in fields.values()}) == len(distinct) < len(fields) / 10


async def test_bad_credentials_are_refused_without_retrying_forever(vendor_sim) -> None:
    with vendor_sim(devices=60, seed=4) as sim:
        async with NinjaClient(settings_for(sim.ninja_url, ninja_client_secret="wrong")) as client:
            with pytest.raises(NinjaAuthError, match="refused the client credentials"):
                await client.organizations()


async def test_persistent_server_errors_give_up_after_the_configured_attempts(vendor_sim) -> None:
    with vendor_sim(devices=60, seed=4) as sim:
        sim.faults({"kind": "server_error", "target": "ninja.organizations", "status": 503})
        async with NinjaClient(settings_for(sim.ninja_url, ninja_retry_attempts=3)) as client:
            with pytest.raises(VendorUnavailable, match="after 3 attempts"):
                await client.organizations()
        assert sim.stats()["responses"]["ninja.organizations"]["503"] == 3


async def test_retry_after_is_honoured_the_wait_is_at_least_what_the_vendor_asked(vendor_sim) -> None:
    with vendor_sim(devices=60, seed=4) as sim:
        sim.faults({"kind": "rate_limit", "target": "ninja.organizations", "count": 1, "retry_after": 2})
        # Back-off of its own would be ~10 ms here: only the vendor's Retry-After explains a 2 s wait.
        async with NinjaClient(settings_for(sim.ninja_url)) as client:
            started = time.perf_counter()
            organizations = await client.organizations()
            waited = time.perf_counter() - started
        assert len(organizations) == len(sim.truth()["organizations"])
        assert sim.stats()["responses"]["ninja.organizations"] == {"429": 1, "200": 1}
    assert waited >= 2.0  # a lower bound: a slow machine only makes it longer


def test_retry_after_as_an_http_date_counts_from_now() -> None:
    response = httpx.Response(429, headers={"retry-after": "Wed, 21 Oct 2026 07:28:30 GMT"})
    now = datetime(2026, 10, 21, 7, 28, 0, tzinfo=UTC).timestamp()
    assert retry_after_seconds(response, now=lambda: now) == 30.0
    assert retry_after_seconds(httpx.Response(429, headers={"retry-after": "7"})) == 7.0
    assert retry_after_seconds(httpx.Response(429, headers={"retry-after": "soon"})) is None
