"""Command-line parsing and running the simulator on a real socket."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from vendor_sim import SimConfig, serve_in_thread
from vendor_sim.__main__ import build_parser, config_from_args


def test_cli_flags_become_config():
    args = build_parser().parse_args(
        [
            "--port", "5409", "--devices", "500", "--seed", "3", "--day", "2", "--token-ttl", "60",
            "--reference-date", "2025-01-31",
            "--exempt-location", "Bench", "--exempt-location", "Shop Spares",
            "--rate-limit", "4", "--retry-after", "9", "--fail-page", "tl.computers:3:2:502",
            "--truncate", "ninja.devices_detailed:10", "--delay-ms", "25",
            "--fault", '{"kind": "empty_body", "target": "tl"}',
        ]
    )  # fmt: skip
    config = config_from_args(args)
    assert (config.devices, config.seed, config.day, config.token_ttl) == (500, 3, 2, 60)
    assert config.reference_date == date(2025, 1, 31)
    assert config.spare_exempt_locations == ("Bench", "Shop Spares")
    kinds = {rule["kind"]: rule for rule in config.faults}
    assert kinds["rate_limit"] == {"kind": "rate_limit", "count": 4, "retry_after": 9}
    assert kinds["server_error"] == {
        "kind": "server_error",
        "target": "tl.computers",
        "page": 3,
        "count": 2,
        "status": 502,
    }
    assert kinds["truncate"]["drop"] == 10
    assert kinds["delay"]["ms"] == 25
    assert kinds["empty_body"]["target"] == "tl"


def test_cli_rejects_bad_fault():
    args = build_parser().parse_args(["--truncate", "nowhere:3"])
    with pytest.raises(ValueError, match="unknown target"):
        config_from_args(args)


def test_config_validation():
    with pytest.raises(ValueError):
        SimConfig(tpm_fields=("a", "b"))  # type: ignore[arg-type]
    from vendor_sim.fleet import Fleet

    with pytest.raises(ValueError, match="at least 50"):
        Fleet(SimConfig(devices=10))


def test_serve_in_thread_on_a_real_socket():
    config = SimConfig(devices=60, seed=5, reference_date=date(2025, 3, 3))
    with serve_in_thread(config) as (base_url, sim), httpx.Client(base_url=base_url, timeout=10) as client:
        token = client.post(
            "/ws/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sim-client",
                "client_secret": "sim-secret",
            },
        ).json()["access_token"]
        devices = client.get(
            "/v2/devices-detailed", params={"pageSize": 100}, headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert len(devices) == 60 == sim.truth().ninja_device_count
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get("/_sim/config").json()["tl_parent_org_id"] == sim.config.tl_parent_org_id
