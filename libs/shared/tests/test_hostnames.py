"""Hostname cleaning and match keys (domain-rules.md, "Hostnames and matching")."""

from __future__ import annotations

import pytest

from hub_shared.hostnames import clean_hostname, match_key, netbios_prefix, ninja_hostname


@pytest.mark.parametrize(
    ("raw", "clean", "key"),
    [
        ("NOCHI-002062482753 | Maintenance", "NOCHI-002062482753", "nochi-002062482753"),
        ("Acme-WS01.corp.local", "Acme-WS01", "acme-ws01"),
        ("  acme-ws02 .corp | Bob ", "acme-ws02", "acme-ws02"),
        ("HOST|note.with.dots", "HOST", "host"),
        ("", "", ""),
        (None, "", ""),
    ],
)
def test_clean_and_key(raw: str | None, clean: str, key: str) -> None:
    assert clean_hostname(raw) == clean
    assert match_key(raw) == key


def test_ninja_prefers_dns_name_host_part() -> None:
    assert ninja_hostname("NOCHI-002062482753.corp.local", "NOCHI-002062482") == "NOCHI-002062482753"
    assert ninja_hostname(None, "NOCHI-002062482") == "NOCHI-002062482"
    assert ninja_hostname("", "WS-7") == "WS-7"


def test_netbios_prefix_only_for_long_keys() -> None:
    assert netbios_prefix("nochi-002062482753") == "nochi-002062482"
    assert netbios_prefix("nochi-002062482") is None
    assert netbios_prefix("short") is None
